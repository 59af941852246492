/** Error types of the BBB client. None of them ever carries a URL, checksum or secret. */

export interface BbbErrorDetail {
  key: string;
  message: string;
}

/**
 * BBB answered `<returncode>FAILED</returncode>` (HTTP 200). Branch on `messageKey`; `message` is English text
 * that changes between releases (reference §3.0).
 */
export class BbbError extends Error {
  override readonly name = 'BbbError';
  readonly call: string;
  readonly messageKey: string;
  /** All entries of the `<errors><error>` form; one entry for the plain messageKey form. */
  readonly errors: readonly BbbErrorDetail[];

  constructor(call: string, messageKey: string, message: string, errors?: readonly BbbErrorDetail[]) {
    super(`BBB ${call} failed: ${messageKey}${message ? ` (${message})` : ''}`);
    this.call = call;
    this.messageKey = messageKey;
    this.errors = errors ?? [{ key: messageKey, message }];
  }
}

export type BbbUnavailableKind = 'network' | 'timeout' | 'http' | 'invalid-response';

/**
 * The server could not be reached or did not answer with a BBB response: network error, timeout, HTTP error
 * status, or a body that is not a BBB XML envelope. Thrown after retries were used up (idempotent calls only).
 */
export class BbbUnavailableError extends Error {
  override readonly name = 'BbbUnavailableError';
  readonly call: string;
  readonly kind: BbbUnavailableKind;
  readonly status?: number;
  readonly attempts: number;

  constructor(
    call: string,
    kind: BbbUnavailableKind,
    detail: string,
    opts: { status?: number; attempts?: number; cause?: unknown } = {},
  ) {
    super(
      `BBB ${call} unavailable (${kind}): ${detail}`,
      opts.cause === undefined ? {} : { cause: opts.cause },
    );
    this.call = call;
    this.kind = kind;
    if (opts.status !== undefined) this.status = opts.status;
    this.attempts = opts.attempts ?? 1;
  }
}
