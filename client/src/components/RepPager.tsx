/** A filter box and previous/next buttons over a long list of reps: "51–100 of 10,000". */
export function RepPager({
  label,
  text,
  onText,
  offset,
  limit,
  total,
  onOffset,
}: {
  /** What the list is ("Team", "Reps"): names the filter box and the page buttons. */
  label: string;
  text: string;
  onText(text: string): void;
  offset: number;
  limit: number;
  total: number;
  onOffset(offset: number): void;
}) {
  const last = Math.min(total, offset + limit);
  return (
    <div class="rep-pager row-tight">
      <input
        type="search"
        class="rep-filter"
        aria-label={`Filter ${label.toLowerCase()}`}
        placeholder="Filter by name, skill, team, presence"
        value={text}
        onInput={(e) => onText(e.currentTarget.value)}
      />
      {total > limit && (
        <span class="row-tight small">
          <span aria-live="polite" data-testid="rep-page-range">
            {total ? `${offset + 1}–${last} of ${total.toLocaleString('en')}` : 'none'}
          </span>
          <button
            type="button"
            class="btn btn-sm btn-ghost"
            disabled={offset === 0}
            aria-label={`Previous page of ${label.toLowerCase()}`}
            onClick={() => onOffset(Math.max(0, offset - limit))}
          >
            ‹ Prev
          </button>
          <button
            type="button"
            class="btn btn-sm btn-ghost"
            disabled={last >= total}
            aria-label={`Next page of ${label.toLowerCase()}`}
            onClick={() => onOffset(offset + limit)}
          >
            Next ›
          </button>
        </span>
      )}
    </div>
  );
}
