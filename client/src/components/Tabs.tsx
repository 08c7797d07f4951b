import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';

interface TabDef {
  id: string;
  label: string;
  badge?: string | number;
}

/** WAI-ARIA tabs: arrow keys move between tabs, Home/End jump. */
export function Tabs({
  tabs,
  active,
  onSelect,
  children,
  label,
}: {
  tabs: TabDef[];
  active: string;
  onSelect(id: string): void;
  children: ComponentChildren;
  label: string;
}) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (e: KeyboardEvent, i: number) => {
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % tabs.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = tabs.length - 1;
    if (next < 0) return;
    e.preventDefault();
    onSelect(tabs[next].id);
    refs.current[next]?.focus();
  };
  return (
    <>
      <div class="tabs" role="tablist" aria-label={label}>
        {tabs.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={active === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={active === t.id ? 0 : -1}
            class={active === t.id ? 'tab active' : 'tab'}
            onClick={() => onSelect(t.id)}
            onKeyDown={(e) => onKey(e as unknown as KeyboardEvent, i)}
          >
            {t.label}
            {t.badge !== undefined && <span class="count">{t.badge}</span>}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${active}`} aria-labelledby={`tab-${active}`} class="tabpanel">
        {children}
      </div>
    </>
  );
}
