import { LEAD_OFFERING_MODES, type Mode } from '../../../shared/protocol';
import { now } from '../lib/clock';
import type { RepModel, RepPoolView } from '../state/repModel';
import { BlindPull } from './BlindPull';
import { MODE_INFO } from './ModeControl';
import { OrderToggle, PoolTable } from './PoolTable';
import { RoundRobinNote } from './RoundRobinNote';
import { SharkTank } from './SharkTank';

const TITLES: Record<Mode, string> = {
  'shark-tank': 'Shark tank',
  'cherry-pick': 'Cherry-pick',
  'blind-pull': 'Blind pull',
  hybrid: 'Your pool',
  'round-robin': 'Round-robin',
};

const HINTS: Record<Mode, string> = {
  'shark-tank': 'First to claim wins. Details unlock once a lead is yours.',
  'cherry-pick': 'Pick the leads that suit you. Contact details unlock once claimed.',
  'blind-pull': 'Take the next lead in line; details unlock once it is yours.',
  hybrid: 'Leads routed to you by your team’s rules.',
  'round-robin': 'Leads are handed out in turn.',
};

/** Keyboard and screen-reader users land on the lead they just took (its button is gone). */
const focusMine = (id?: string) =>
  requestAnimationFrame(() => {
    const el = id
      ? document.querySelector<HTMLElement>(`.mine-card[data-lead-id="${CSS.escape(id)}"]`)
      : document.querySelector<HTMLElement>('.mine-card');
    el?.focus();
  });

/** "Mode just changed" for a minute after a live switch (its own component: only it ticks). */
function SwitchedBadge({ at }: { at: number }) {
  if (now.value - at >= 60_000) return null;
  return <span class="pill pill-new">Mode just changed</span>;
}

/** With several pools: a link to each pool's section, with what waits in it. */
export function PoolNav({ pools }: { pools: RepPoolView[] }) {
  return (
    <nav class="pool-nav" aria-label="Your pools">
      {pools.map((p) => (
        <a key={p.id} href={`#pool-${p.id}`}>
          {p.name}
          <span class="count">
            {LEAD_OFFERING_MODES.includes(p.mode) ? p.leads.length : p.waiting}
            <span class="sr-only"> waiting</span>
          </span>
        </a>
      ))}
    </nav>
  );
}

/** Shown until the first snapshot arrives. */
export function PoolLoading() {
  return (
    <section class="panel" aria-busy="true">
      <p class="muted pad">Loading the pool…</p>
    </section>
  );
}

/** A rep in no pool: nothing reaches it until a manager adds it to one. */
export function NoPool() {
  return (
    <section class="panel" aria-labelledby="no-pool-title">
      <div class="empty">
        <p class="empty-title" id="no-pool-title" role="heading" aria-level={2}>
          You are not in any pool
        </p>
        <p>No leads reach you until your manager adds you to a pool. This page updates by itself when they do.</p>
      </div>
    </section>
  );
}

/**
 * One pool of the rep, as its mode dictates. With only the pool `default` it looks as in v1
 * (the mode is the heading); otherwise the pool's name is the heading and is on every lead.
 */
export function RepPool({ model, pool }: { model: RepModel; pool: RepPoolView }) {
  const { mode } = pool;
  const disabled = !model.live.value;
  const named = model.showPoolNames.value;
  const poolName = named ? pool.name : undefined;
  const titleId = `pool-title-${pool.id}`;
  const claim = async (id: string) => {
    if (await model.claim(id)) focusMine(id);
  };
  const order = model.orderOf(pool.id);
  const onOrder = (o: 'newest' | 'oldest') => model.setOrder(pool.id, o);

  return (
    <section class="panel pool-panel" id={`pool-${pool.id}`} aria-labelledby={titleId} data-mode={mode} data-pool-id={pool.id}>
      <div class="panel-head">
        <div>
          {named ? (
            <>
              <h2 id={titleId}>{pool.name}</h2>
              <p class="muted small">
                <span class="pill pool-mode">{MODE_INFO[mode].label}</span> {HINTS[mode]}
              </p>
            </>
          ) : (
            <>
              <h2 id={titleId}>{TITLES[mode]}</h2>
              <p class="muted small">{HINTS[mode]}</p>
            </>
          )}
        </div>
        <span class="row-tight">
          {pool.modeChangedAt !== undefined && <SwitchedBadge at={pool.modeChangedAt} />}
          {mode === 'shark-tank' && pool.leads.length > 1 && <OrderToggle order={order} onOrder={onOrder} />}
          {LEAD_OFFERING_MODES.includes(mode) && (
            <span class="pill" data-testid="pool-count">
              {pool.leads.length} open
            </span>
          )}
        </span>
      </div>
      {mode === 'shark-tank' && (
        <SharkTank
          leads={pool.leads}
          pending={model.pending.value}
          disabled={disabled}
          order={order}
          onClaim={claim}
          onEngage={model.engage}
          poolName={poolName}
        />
      )}
      {(mode === 'cherry-pick' || mode === 'hybrid') && (
        <PoolTable
          leads={pool.leads}
          pending={model.pending.value}
          disabled={disabled}
          onClaim={claim}
          onEngage={model.engage}
          order={order}
          onOrder={onOrder}
          poolName={poolName}
          label={`${mode === 'hybrid' ? 'Leads routed to you' : 'Open leads'}${poolName ? ` in ${poolName}` : ''}`}
          emptyText={mode === 'hybrid' ? 'No lead routed to you is waiting. New ones appear here live.' : 'New leads appear here live.'}
        />
      )}
      {mode === 'blind-pull' && (
        <BlindPull
          label={pool.name}
          waiting={pool.waiting}
          oldestAt={pool.oldestAt}
          pulling={model.pending.value.has(model.pullKey(pool.id))}
          disabled={disabled}
          onPull={async () => {
            if (await model.pull(pool.id)) focusMine();
          }}
        />
      )}
      {mode === 'round-robin' && <RoundRobinNote available={model.you.value?.presence === 'available'} />}
    </section>
  );
}
