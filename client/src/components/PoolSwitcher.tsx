import type { PoolOverview } from '../../../shared/protocol';

/** The pool the dashboard shows and changes, as a <select> labelled "Pool" (compact with one pool). */
export function PoolSwitcher({ pools, value, onChange }: { pools: PoolOverview[]; value: string; onChange(id: string): void }) {
  const one = pools.length <= 1;
  return (
    <div class={`mode-control pool-switcher${one ? ' pool-switcher-one' : ''}`}>
      <label class="mode-label" for="pool-select">
        Pool
      </label>
      <select id="pool-select" value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {pools.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
            {one ? '' : ` (${p.waiting} waiting)`}
          </option>
        ))}
      </select>
    </div>
  );
}
