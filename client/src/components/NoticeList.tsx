import type { Notices } from '../state/notices';

/** Transient messages: errors as alerts, the rest as status. Each can be dismissed. */
export function NoticeList({ notices }: { notices: Notices }) {
  const list = notices.list.value;
  return (
    <div class="notices">
      {list.map((n) => (
        <div key={n.id} class={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
          <span>{n.text}</span>
          <button type="button" class="notice-close" aria-label="Dismiss message" onClick={() => notices.dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
