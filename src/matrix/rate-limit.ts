import { MatrixError } from '@vector-im/matrix-bot-sdk';
import pRetry from 'p-retry';
import type { Logger } from '../log.js';

/**
 * matrix-bot-sdk does not retry HTTP 429 (bots crash on it). Every outgoing call goes through this:
 * a rate-limited call waits for the homeserver's retry-after (or a backoff) and tries again.
 */
export function withRateLimitRetry<T>(log: Logger, what: string, call: () => Promise<T>): Promise<T> {
  return pRetry(call, {
    retries: 8,
    minTimeout: 0,
    maxTimeout: 0,
    shouldRetry: ({ error }) => isRateLimited(error),
    onFailedAttempt: async ({ error, attemptNumber }) => {
      if (!isRateLimited(error)) return;
      const waitMs = retryAfterMs(error) ?? Math.min(30_000, 500 * 2 ** attemptNumber);
      log.warn({ what, waitMs, attempt: attemptNumber }, 'rate limited by the homeserver; waiting');
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    },
  });
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
