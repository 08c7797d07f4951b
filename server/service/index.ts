// The Leadpool service: what every route and socket event calls, one part per job.
// Commands (leads, presence, pools, reps, feeds) change the store and tell who must know through
// the fan-out; read models build what is shown; the background parts run on their own.
// Transport calls these parts only, never the store or Socket.IO.
import type { WebhookTiming } from '../config.js';
import type { Fanout } from '../realtime/fanout.js';
import type { Store } from '../store/types.js';
import { Background } from './background.js';
import { DueJobs } from './due.js';
import { FeedCommands } from './feeds.js';
import { FollowUps } from './follow-ups.js';
import { FormCommands } from './forms.js';
import { LateOutcomes } from './late-outcomes.js';
import { LeadCommands } from './leads.js';
import type { Logger } from './logger.js';
import { PoolCommands } from './pool.js';
import { PresenceCommands } from './presence.js';
import { ReadModels } from './reads.js';
import { RepCommands } from './reps.js';
import { RoundRobin } from './round-robin.js';
import { ShiftKeeper } from './shifts.js';
import { StatsPush } from './stats-push.js';
import { Stranding } from './stranding.js';
import { WaitingPush } from './waiting-push.js';
import { Webhooks } from './webhooks.js';

export interface Service {
  leads: LeadCommands;
  presence: PresenceCommands;
  pool: PoolCommands;
  reps: RepCommands;
  feeds: FeedCommands;
  /** Hosted lead forms (manager) and their submissions (anyone). */
  forms: FormCommands;
  webhooks: Webhooks;
  reads: ReadModels;
  /** Changes the store reported late (Redis: answered "outcome unknown", then found to have happened). */
  late: LateOutcomes;
  /** A manager dashboard connected to this process: resolves once every process will tell it what changes (then read its snapshot). */
  managerArrived(): Promise<void>;
  /** Starts the background work (due jobs, presence heartbeat, working hours). */
  start(): void;
  stop(): void;
  /** Resolves once every tab close in flight reached the store. */
  drain(): Promise<void>;
}

export interface ServiceOptions {
  /** Whether broadcasts reach every process now (cluster: the Redis adapter's connections are ready). */
  broadcastReady?: () => boolean;
  /** Webhook delivery timing (config LEADPOOL_WEBHOOK_*); default: docs/API.md's schedule. */
  webhooks?: WebhookTiming;
}

export function createService(store: Store, fanout: Fanout, log: Logger, options: ServiceOptions = {}): Service {
  const reads = new ReadModels(store);
  fanout.readSnapshotsFrom(reads);
  const stats = new StatsPush(reads, fanout, log);
  const roundRobin = new RoundRobin(store, fanout, () => stats.schedule());
  const followUps = new FollowUps(store, fanout, reads, stats, new WaitingPush(store, fanout, log), roundRobin, log);
  const stranding = new Stranding(store, fanout, followUps, log);
  const presence = new PresenceCommands(store, fanout, followUps, roundRobin, stranding);
  const pool = new PoolCommands(store, fanout, reads, followUps, roundRobin, stranding);
  const background = new Background(store, fanout, new DueJobs(store, fanout, followUps, stranding), presence, stats, log);
  const shifts = new ShiftKeeper(store, fanout, presence, log);
  const late = new LateOutcomes(store, fanout, reads, followUps, log, options.broadcastReady);
  const leads = new LeadCommands(store, fanout, followUps, stranding);
  const webhooks = new Webhooks(store, log, options.webhooks);
  return {
    leads,
    forms: new FormCommands(store, leads),
    presence,
    pool,
    reps: new RepCommands(store, fanout, reads, pool, followUps, roundRobin, shifts),
    feeds: new FeedCommands(store, fanout, reads),
    webhooks,
    reads,
    late,
    start: () => {
      background.start();
      shifts.start();
      webhooks.start((ms, name, task) => background.every(ms, name, task));
    },
    stop: () => {
      webhooks.stop();
      background.stop();
      shifts.stop();
      stranding.stop();
      late.stop();
      fanout.close();
    },
    drain: () => presence.drain(),
    managerArrived: () => fanout.managerArrived(),
  };
}
