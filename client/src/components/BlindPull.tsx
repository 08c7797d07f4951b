import { Age } from './Age';

interface Props {
  /** The pool's name: the group label that tells one pool's Pull button from another's. */
  label: string;
  waiting: number;
  oldestAt: number | null;
  pulling: boolean;
  disabled: boolean;
  onPull(): void;
}

/** Blind-pull: counts only, and one button that takes the oldest lead. */
export function BlindPull({ label, waiting, oldestAt, pulling, disabled, onPull }: Props) {
  return (
    <div class="blind" role="group" aria-label={label}>
      <div class="tiles">
        <div class="tile">
          <span class="tile-label">Waiting</span>
          <span class="tile-value" data-testid="waiting-count">
            {waiting}
          </span>
        </div>
        <div class="tile">
          <span class="tile-label">Oldest waiting</span>
          <span class="tile-value">{waiting > 0 && oldestAt !== null ? <Age since={oldestAt} /> : '—'}</span>
        </div>
      </div>
      <button type="button" class="btn btn-primary btn-claim-lg" disabled={disabled || pulling || waiting === 0} onClick={onPull}>
        Pull next lead
      </button>
      <p class="muted small">You get the oldest lead you are eligible for. Its details appear under My leads.</p>
    </div>
  );
}
