import type { PoolRow } from '../state/managerModel';
import { Age } from './Age';
import { MODE_INFO } from './ModeControl';

/** "All pools": each pool's mode, waiting leads, oldest wait and reps online, live; a row selects its pool. */
export function PoolsOverview({ pools, selected, onSelect }: { pools: PoolRow[]; selected: string; onSelect(id: string): void }) {
  return (
    <section class="panel" aria-labelledby="all-pools-title">
      <div class="panel-head">
        <h2 id="all-pools-title">All pools</h2>
        <span class="pill">{pools.reduce((n, p) => n + p.waiting, 0)} waiting in all</span>
      </div>
      <div class="table-scroll">
        <table class="table table-cards pools-table">
          <caption class="sr-only">All pools: mode, waiting leads, oldest wait, reps online</caption>
          <thead>
            <tr>
              <th scope="col">Pool</th>
              <th scope="col">Mode</th>
              <th scope="col" class="num">
                Waiting
              </th>
              <th scope="col">Oldest</th>
              <th scope="col" class="num">
                Reps online
              </th>
              <th scope="col">
                <span class="sr-only">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {pools.map((p) => (
              <tr key={p.id} data-pool-id={p.id} class={p.id === selected ? 'row-selected' : undefined}>
                <th scope="row">
                  <span class="cell-main">{p.name}</span>
                  <span class="cell-sub muted mono">{p.id}</span>
                </th>
                <td data-label="Mode">{MODE_INFO[p.mode].label}</td>
                <td data-label="Waiting" class="num">
                  {p.waiting}
                </td>
                <td data-label="Oldest">{p.waiting > 0 && p.oldestAt !== null ? <Age since={p.oldestAt} /> : '—'}</td>
                <td data-label="Reps online" class="num">
                  {p.repsOnline}
                </td>
                <td class="cell-action">
                  {p.id === selected ? (
                    <span class="muted small">Shown</span>
                  ) : (
                    <button type="button" class="btn btn-sm" aria-label={`Show ${p.name}`} onClick={() => onSelect(p.id)}>
                      Show
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
