import { useState } from 'preact/hooks';
import type { Rep } from '../../../shared/protocol';
import type { Roster } from '../state/roster';

/** Up to this many reps in scope, a plain select lists them all; beyond, the picker searches by name. */
export const SELECT_MAX = 200;
/** Matches offered while typing. */
const SUGGESTIONS = 20;

const shown = (r: Rep, withPresence: boolean) => (withPresence ? `${r.name} (${r.presence})` : r.name);

/**
 * Picks one rep of a pool (or of all): a select for a small team; for a large one, a search
 * box with the first matches as suggestions, so a team of thousands is never rendered as
 * thousands of options per lead row.
 */
export function RepPicker({
  roster,
  poolId,
  value,
  onChange,
  id,
  label,
  exclude,
  emptyLabel = 'Choose rep…',
  withPresence = true,
}: {
  roster: Roster;
  poolId?: string;
  value: string;
  onChange(repId: string): void;
  id?: string;
  /** The accessible name when there is no visible label (`aria-label`). */
  label?: string;
  /** A rep not offered (the lead's owner). */
  exclude?: string;
  emptyLabel?: string;
  withPresence?: boolean;
}) {
  const [text, setText] = useState('');
  const members = poolId === undefined ? roster.size.value : roster.counts(poolId).members;
  if (members <= SELECT_MAX) {
    const reps = roster.query({ poolId }).reps.filter((r) => r.id !== exclude);
    return (
      <select id={id} aria-label={label} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{emptyLabel}</option>
        {reps.map((r) => (
          <option key={r.id} value={r.id}>
            {shown(r, withPresence)}
          </option>
        ))}
      </select>
    );
  }
  const listId = `${id ?? 'rep-picker'}-matches`;
  const find = (typed: string) =>
    typed.trim()
      ? roster
          .query({ poolId, text: typed, limit: SUGGESTIONS + 1 })
          .reps.filter((r) => r.id !== exclude)
          .slice(0, SUGGESTIONS)
      : [];
  const matches = find(text);
  const pick = (typed: string) => {
    setText(typed);
    // A suggestion picked reads "Name (presence)": its name finds it.
    const name = withPresence ? typed.replace(/ \([a-z-]+\)$/, '') : typed;
    const hit = roster
      .query({ poolId, text: name })
      .reps.find((r) => r.id !== exclude && (shown(r, withPresence) === typed || r.name === typed));
    onChange(hit?.id ?? '');
  };
  return (
    <>
      <input
        id={id}
        type="search"
        aria-label={label}
        list={listId}
        value={text}
        placeholder="Type a rep's name…"
        autocomplete="off"
        onInput={(e) => pick(e.currentTarget.value)}
        data-rep-id={value || undefined}
      />
      <datalist id={listId}>
        {matches.map((r) => (
          <option key={r.id} value={shown(r, withPresence)} />
        ))}
      </datalist>
    </>
  );
}
