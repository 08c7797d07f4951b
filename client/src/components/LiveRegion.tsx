import type { Signal } from '@preact/signals';

/** Screen-reader announcements (new leads, claim results): polite, visually hidden. */
export function LiveRegion({ text }: { text: Signal<string> }) {
  return (
    <div class="sr-only" aria-live="polite" aria-atomic="true" role="status" data-testid="live-region">
      {text.value}
    </div>
  );
}
