// Transient messages (claim results, errors) and the screen-reader announcement line.
import { signal } from '@preact/signals';

type NoticeKind = 'error' | 'info' | 'success';
interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
}

export function createNotices(ttlMs = 6000, max = 4) {
  const list = signal<Notice[]>([]);
  const announcement = signal('');
  let seq = 0;
  let flip = false;
  const dismiss = (id: number) => {
    list.value = list.value.filter((n) => n.id !== id);
  };
  return {
    list,
    /** Text for the aria-live="polite" region. */
    announcement,
    push(kind: NoticeKind, text: string): number {
      const id = ++seq;
      list.value = [...list.value.filter((n) => n.text !== text), { id, kind, text }].slice(-max);
      if (ttlMs > 0) setTimeout(() => dismiss(id), kind === 'error' ? ttlMs * 1.5 : ttlMs);
      return id;
    },
    dismiss,
    announce(text: string): void {
      // A trailing invisible change makes screen readers repeat identical text.
      flip = !flip;
      announcement.value = flip ? text : `${text}\u200b`;
    },
  };
}
export type Notices = ReturnType<typeof createNotices>;
