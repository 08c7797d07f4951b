import { DEFAULT_POOL } from '../../../shared/protocol';
import { OUTCOME_LABEL, RECENT_DAYS, type RepModel } from '../state/repModel';
import { Age } from './Age';

/** Recent: the leads this rep closed in the last days, with their outcome and note. */
export function RecentLeads({ model }: { model: RepModel }) {
  if (!model.hasRecent && !model.recent.value?.length) return null;
  const list = model.recent.value ?? [];
  const state = model.recentState.value;
  const named = model.showPoolNames.value;
  return (
    <section class="panel" aria-labelledby="recent-title">
      <div class="panel-head">
        <div>
          <h2 id="recent-title">Recent</h2>
          <p class="muted small">Leads you closed in the last {RECENT_DAYS} days</p>
        </div>
        {list.length > 0 && <span class="pill">{list.length}</span>}
      </div>
      {state === 'failed' && list.length === 0 ? (
        <div class="pad row">
          <p class="muted">Your recent leads could not be loaded.</p>
          <button type="button" class="btn btn-sm" onClick={() => void model.loadRecent()}>
            Try again
          </button>
        </div>
      ) : list.length === 0 ? (
        <p class="muted pad">
          {state === 'loading' ? 'Loading…' : 'Nothing closed yet. Leads you mark won, lost or unreachable show here.'}
        </p>
      ) : (
        <ul class="recent-list">
          {list.slice(0, 100).map((l) => (
            <li key={l.id} class="recent-item" data-lead-id={l.id}>
              <div class="recent-main">
                <strong>{l.name ?? l.company ?? l.email ?? l.phone ?? 'Lead'}</strong>
                {l.name && l.company && <span class="muted small"> · {l.company}</span>}
                {named && <span class="pill pill-pool">{model.poolName(l.poolId ?? DEFAULT_POOL)}</span>}
              </div>
              <span class={`tag tag-outcome outcome-${l.outcome ?? 'none'}`}>{l.outcome ? OUTCOME_LABEL[l.outcome] : 'Closed'}</span>
              <span class="muted small recent-when">
                <Age since={l.closedAt ?? l.createdAt} /> ago
              </span>
              {l.outcomeNote && <p class="recent-note small">“{l.outcomeNote}”</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
