import type { Notices } from '../state/notices';

/**
 * Transient messages, in the header's message line: the newest one, with how many more
 * wait behind it. Errors are alerts, the rest status. Each can be dismissed.
 */
export function NoticeList({ notices }: { notices: Notices }) {
  const list = notices.list.value;
  const latest = list[list.length - 1];
  return (
    <div class="notices" data-testid="notices">
      {latest && (
        <div key={latest.id} class={`notice notice-${latest.kind}`} role={latest.kind === 'error' ? 'alert' : 'status'}>
          <span class="notice-text" title={latest.text}>
            {latest.text}
          </span>
          {list.length > 1 && (
            <span class="notice-more muted" aria-hidden="true">
              +{list.length - 1}
            </span>
          )}
          <button type="button" class="notice-close" aria-label="Dismiss message" onClick={() => notices.dismiss(latest.id)}>
            ×
          </button>
        </div>
      )}
    </div>
  );
}
