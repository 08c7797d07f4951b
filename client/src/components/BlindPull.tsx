import { Age } from './Age';

interface Props {
  waiting: number;
  oldestAt: number | null;
  pulling: boolean;
  disabled: boolean;
  onPull(): void;
}

/** Blind-pull: counts only, and one button that takes the oldest lead. */
export function BlindPull({ waiting, oldestAt, pulling, disabled, onPull }: Props) {
  return (
    <div class="blind">
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
