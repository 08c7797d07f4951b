// One error type for every answer that is not ok, with its HTTP status. Socket acks and
// HTTP bodies both carry `{ code, message, details? }` (docs/API.md, "Errors").
import type { ErrorBody, ErrorCode } from '../shared/protocol.js';
import { StoreOutcomeUnknownError, StoreUnavailableError, UnknownPoolError } from './store/types.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_JSON: 400,
  BAD_CSV: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_LARGE: 413,
  INVALID: 422,
  RATE_LIMITED: 429,
  STORE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  ALREADY_CLAIMED: 'another rep claimed this lead first',
  NOT_OPEN: 'this lead is closed or disqualified',
  NOT_FOUND: 'not found',
  NOT_ELIGIBLE: 'this lead is routed to other reps',
  CAP_REACHED: 'you hold as many leads as your cap allows',
  MODE_FORBIDS: 'the current pool mode does not allow this',
  UNAVAILABLE: 'you are away: set yourself available first',
  COOLDOWN: 'wait a moment before claiming again',
  WINDOW_CAP: 'you reached the number of claims allowed in this window',
  RATE_LIMITED: 'too many requests, slow down',
  POOL_EMPTY: 'no lead is waiting for you',
  NOT_OWNER: 'you do not hold this lead',
  STORE_UNAVAILABLE: 'the store cannot be reached; nothing was changed',
  INTERNAL: 'internal error',
};

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: unknown,
  ) {
    super(message ?? MESSAGES[code] ?? code);
  }
  get status(): number {
    // Domain refusals (ALREADY_CLAIMED, CAP_REACHED, ...) are conflicts with the pool's state.
    return STATUS[this.code] ?? 409;
  }
  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/**
 * STORE_UNAVAILABLE for a change whose outcome is not known (Redis stopped answering while
 * it was in flight): unlike every other STORE_UNAVAILABLE, it may have happened. The
 * client re-reads before retrying; the server resyncs its clients should it turn out to
 * have happened (service/late-outcomes.ts).
 */
export const outcomeUnknown = (): ApiError =>
  new ApiError(
    'STORE_UNAVAILABLE',
    'the store stopped answering while this change was in flight: it may have happened; read the current state before retrying',
    { outcome: 'unknown' },
  );

/** Maps anything thrown to an ApiError; unexpected errors are logged by the caller. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof StoreOutcomeUnknownError) return outcomeUnknown();
  if (err instanceof StoreUnavailableError) return new ApiError('STORE_UNAVAILABLE');
  // A pool deleted between the service's read and the store's write.
  if (err instanceof UnknownPoolError) return noSuchPool(err.poolId);
  return new ApiError('INTERNAL');
}

/**
 * A domain refusal (ALREADY_CLAIMED, COOLDOWN, ...): an answer, not a fault, so it carries no
 * stack; capturing one costs more than the rest of a lost claim's answer.
 */
export const refusal = (code: ErrorCode): ApiError => {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new ApiError(code);
  } finally {
    Error.stackTraceLimit = limit;
  }
};

export const noSuchPool = (poolId: string): ApiError => new ApiError('NOT_FOUND', `no such pool: ${poolId}`);
