import { MatrixError } from '@vector-im/matrix-bot-sdk';
import pRetry from 'p-retry';
import type { Logger } from '../../log.js';

/** Told about 429 waits and calls that failed for good (metrics); one per process, like the homeserver. */
export interface HomeserverCallObserver {
  rateLimited(call: string, waitMs: number): void;
  failed(call: string, status: string): void;
}

let observer: HomeserverCallObserver | null = null;

export function observeHomeserverCalls(next: HomeserverCallObserver | null): void {
  observer = next;
}

/** Waits between tries of a call the homeserver could not take just now (proxy 502/503/504, connection lost). */
const OUTAGE_WAITS_MS = [500, 1_000, 2_000];

/**
 * matrix-bot-sdk does not retry HTTP 429 (bots crash on it). Every outgoing call goes through this:
 * a rate-limited call waits for the homeserver's retry-after (or a backoff) and tries again. A call that
 * is safe to repeat (`repeatable`: a read, or a send with its own transaction ID, which the homeserver
 * answers with the first event) is also tried again over a brief outage, as while the homeserver
 * restarts behind its proxy; others are not, as a second try could post twice.
 */
export function withRateLimitRetry<T>(
  log: Logger,
  what: string,
  call: () => Promise<T>,
  options: { repeatable?: boolean } = {},
): Promise<T> {
  let outages = 0;
  const outage = (error: unknown) => !!options.repeatable && isOutage(error);
  const attempts = pRetry(() => call().catch(asError), {
    retries: 8 + OUTAGE_WAITS_MS.length,
    minTimeout: 0,
    maxTimeout: 0,
    shouldRetry: ({ error }) => isRateLimited(error) || outage(error),
    // Runs before shouldRetry: it waits, or ends the tries by throwing.
    onFailedAttempt: async ({ error, attemptNumber }) => {
      if (isRateLimited(error)) {
        const waitMs = retryAfterMs(error) ?? Math.min(30_000, 500 * 2 ** attemptNumber);
        log.warn({ what, waitMs, attempt: attemptNumber }, 'rate limited by the homeserver; waiting');
        observer?.rateLimited(what, waitMs);
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      } else if (outage(error)) {
        const waitMs = OUTAGE_WAITS_MS[outages++];
        if (waitMs === undefined) throw error; // not a brief outage: the caller decides
        log.warn(
          { what, waitMs, status: statusOf(error) },
          'the homeserver could not take the call; trying again',
        );
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    },
  });
  if (!observer) return attempts;
  return attempts.catch((error: unknown) => {
    observer?.failed(what, statusOf(error));
    throw error;
  });
}

/**
 * matrix-bot-sdk rejects with the bare response when an error's body is not Matrix JSON (a proxy's HTML
 * page): made an Error with the same fields (statusCode, body), which p-retry needs to retry it.
 */
function asError(error: unknown): never {
  if (error instanceof Error) throw error;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  throw Object.assign(
    new Error(`homeserver answered ${typeof status === 'number' ? status : 'without a status'}`),
    error,
  );
}

/** The homeserver (or its proxy) could not take the call just now: worth one more try of a repeatable call. */
export function isOutage(error: unknown): boolean {
  const e = error as { statusCode?: unknown; code?: unknown } | null;
  if (typeof e?.statusCode === 'number')
    return e.statusCode === 502 || e.statusCode === 503 || e.statusCode === 504;
  return typeof e?.code === 'string' && NETWORK_CODES.has(e.code);
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET']);

function statusOf(error: unknown): string {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? String(status) : 'network';
}

export function isRateLimited(error: unknown): boolean {
  if (error instanceof MatrixError) return error.statusCode === 429 || error.errcode === 'M_LIMIT_EXCEEDED';
  const e = error as { statusCode?: number; body?: { errcode?: string } } | null;
  return e?.statusCode === 429 || e?.body?.errcode === 'M_LIMIT_EXCEEDED';
}

function retryAfterMs(error: unknown): number | undefined {
  if (error instanceof MatrixError && error.retryAfterMs !== undefined) return error.retryAfterMs;
  const body = (error as { body?: { retry_after_ms?: number } } | null)?.body;
  return typeof body?.retry_after_ms === 'number' ? body.retry_after_ms : undefined;
}
