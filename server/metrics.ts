// Prometheus metrics of one process (GET /metrics, docs/API.md "Operations"): one registry
// for the process, the metrics as module singletons so any part of the server counts
// without being handed a registry, plus the Node.js process metrics of prom-client.
//
// Labels stay low-cardinality: pool ids (chosen by managers, few), result and error codes,
// operation names, namespaces, route patterns. Never a lead, rep or feed id, never a token.

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Server } from 'socket.io';
import { type Store, StoreOutcomeUnknownError, StoreUnavailableError, UnknownPoolError } from './store/types.js';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/** Seconds: from half a millisecond (a lone in-memory call) to 5 s (a stalled store). */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export const leadsIngested = new Counter({
  name: 'leadpool_leads_ingested_total',
  help: 'Leads posted and answered, by pool and status (open, disqualified, or duplicate: nothing stored)',
  labelNames: ['pool', 'status'] as const,
  registers: [registry],
});

export const claims = new Counter({
  name: 'leadpool_claims_total',
  help: 'Claims (lead:claim) and pulls (lead:pull) answered, by result: ok or the error code',
  labelNames: ['action', 'result'] as const,
  registers: [registry],
});

export const claimDuration = new Histogram({
  name: 'leadpool_claim_duration_seconds',
  help: 'Time to answer a claim or pull: the store deciding the race, then the fan-out',
  labelNames: ['action'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const fanoutDuration = new Histogram({
  name: 'leadpool_fanout_duration_seconds',
  help: 'From the store accepting a change to its events handed to Socket.IO (offer: a new lead; gone: a claim or pull)',
  labelNames: ['event'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const storeDuration = new Histogram({
  name: 'leadpool_store_operation_duration_seconds',
  help: 'Store calls, by store kind and operation (successes and failures)',
  labelNames: ['store', 'op'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const storeErrors = new Counter({
  name: 'leadpool_store_errors_total',
  help: 'Store calls that failed: unavailable (nothing changed), outcome_unknown (Redis: the change may have happened), other',
  labelNames: ['store', 'op', 'kind'] as const,
  registers: [registry],
});

export const storeLateOutcomes = new Counter({
  name: 'leadpool_store_late_outcomes_total',
  help: 'Redis: changes answered outcome_unknown that were found out later to have happened (clients resynced)',
  labelNames: ['op'] as const,
  registers: [registry],
});

export const webhookDeliveries = new Counter({
  name: 'leadpool_webhook_deliveries_total',
  help: 'Webhook delivery attempts made by this process, by outcome: delivered, retry (failed, tried again later), failed (no more attempts)',
  labelNames: ['status'] as const,
  registers: [registry],
});
webhookDeliveries.inc({ status: 'delivered' }, 0);
webhookDeliveries.inc({ status: 'retry' }, 0);
webhookDeliveries.inc({ status: 'failed' }, 0);

/**
 * Socket events refused by a per-socket event budget (server/transport/sockets.ts): count
 * each refusal with its namespace (`rep`, `manager`) and event name (or `connection` for
 * a refused connection).
 */
export const eventBudgetRefusals = new Counter({
  name: 'leadpool_event_budget_refusals_total',
  help: 'Socket events (or connections) refused by a per-socket or per-process budget, by namespace and event',
  labelNames: ['namespace', 'event'] as const,
  registers: [registry],
});

export const httpRequests = new Counter({
  name: 'leadpool_http_requests_total',
  help: 'HTTP requests answered, by method, route pattern and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

export const logLinesDropped = new Counter({
  name: 'leadpool_log_lines_dropped_total',
  help: 'Log lines dropped because stdout did not take them (more than 8 MiB waiting)',
  registers: [registry],
});

/** The Socket.IO servers of this process (several in tests), read when /metrics is scraped. */
const socketSources = new Map<Server, string>();

new Gauge({
  name: 'leadpool_sockets_connected',
  help: 'Socket.IO connections open on this process, by namespace and node (the process id in the cluster)',
  labelNames: ['namespace', 'node'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const [io, node] of socketSources) {
      for (const namespace of ['/rep', '/manager']) this.set({ namespace, node }, io.of(namespace).sockets.size);
    }
  },
});

/** Counts the sockets of `io` under `node` until the returned function is called. */
export function trackSockets(io: Server, node: string): () => void {
  socketSources.set(io, node);
  return () => socketSources.delete(io);
}

/** The exposition text and its content type. */
export async function metricsText(): Promise<{ contentType: string; text: string }> {
  return { contentType: registry.contentType, text: await registry.metrics() };
}

/** Seconds since `start` (performance.now()). */
export const since = (start: number): number => (performance.now() - start) / 1000;

function errorKind(err: unknown): 'unavailable' | 'outcome_unknown' | 'other' | null {
  if (err instanceof StoreOutcomeUnknownError) return 'outcome_unknown';
  if (err instanceof StoreUnavailableError) return 'unavailable';
  if (err instanceof UnknownPoolError) return null; // an answer (the pool went), not a failure
  return 'other';
}

/**
 * The store, every call timed and its failures counted. Calls go to the store itself
 * (`this` is the store), so it behaves exactly as before; methods that return no promise
 * (listener registration) are passed through untimed.
 */
export function instrumentStore<S extends Store>(store: S): S {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      let fn = wrapped.get(prop);
      if (!fn) {
        const op = prop;
        const labels = { store: target.kind, op };
        // The labelled child once: observe(labels, v) hashes the labels on every call.
        const duration = storeDuration.labels(labels);
        fn = (...args: unknown[]) => {
          const start = performance.now();
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (!(result instanceof Promise)) return result;
          return result.then(
            (v) => {
              duration.observe(since(start));
              return v;
            },
            (err: unknown) => {
              duration.observe(since(start));
              const kind = errorKind(err);
              if (kind) storeErrors.inc({ ...labels, kind });
              throw err;
            },
          );
        };
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}
