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

/**
 * matrix-bot-sdk does not retry HTTP 429 (bots crash on it). Every outgoing call goes through this:
 * a rate-limited call waits for the homeserver's retry-after (or a backoff) and tries again.
 */
export function withRateLimitRetry<T>(log: Logger, what: string, call: () => Promise<T>): Promise<T> {
  const attempts = pRetry(call, {
    retries: 8,
    minTimeout: 0,
    maxTimeout: 0,
    shouldRetry: ({ error }) => isRateLimited(error),
    onFailedAttempt: async ({ error, attemptNumber }) => {
      if (!isRateLimited(error)) return;
      const waitMs = retryAfterMs(error) ?? Math.min(30_000, 500 * 2 ** attemptNumber);
      log.warn({ what, waitMs, attempt: attemptNumber }, 'rate limited by the homeserver; waiting');
      observer?.rateLimited(what, waitMs);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    },
  });
  if (!observer) return attempts;
  return attempts.catch((error: unknown) => {
    observer?.failed(what, statusOf(error));
    throw error;
  });
}

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
