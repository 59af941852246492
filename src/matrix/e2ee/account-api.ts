import { jsonOf, networkReason } from '../../fetch-answers.js';
import { passwordAuth } from '../sdk/login.js';

// The bot account's own keys and secrets on the homeserver, called directly with the access token
// (before and beside matrix-bot-sdk, and from `npm run check`, which loads no SDK): key queries,
// cross-signing uploads, account data, the room-key backup. Errors carry the homeserver's errcode and
// text, never a token, the password or a key.

const TIMEOUT_MS = 20_000;

export class AccountApiError extends Error {
  constructor(
    readonly status: number,
    readonly errcode: string | undefined,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'AccountApiError';
  }
}

export type Json = Record<string, unknown>;

export class AccountApi {
  private readonly base: string;

  constructor(
    homeserverUrl: string,
    private readonly accessToken: string,
    readonly userId: string,
    private readonly doFetch: typeof fetch = fetch,
  ) {
    this.base = homeserverUrl.replace(/\/+$/, '');
  }

  /** One call; the answer's JSON with its status (never throws for an HTTP error, only for no answer). */
  async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json | null }> {
    let res: Response;
    try {
      res = await this.doFetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.accessToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new AccountApiError(
        0,
        undefined,
        `${method} ${path}: no answer (${networkReason(error, TIMEOUT_MS)})`,
      );
    }
    return { status: res.status, body: await jsonOf(res) };
  }

  /** A call that must succeed: the answer's JSON, or an AccountApiError. */
  async ok(method: string, path: string, body?: unknown): Promise<Json> {
    const answer = await this.call(method, path, body);
    if (answer.status >= 200 && answer.status < 300) return answer.body ?? {};
    throw failure(method, path, answer.status, answer.body);
  }

  /** The user's device and cross-signing keys as the homeserver holds them. */
  queryOwnKeys(): Promise<Json> {
    return this.ok('POST', '/_matrix/client/v3/keys/query', { device_keys: { [this.userId]: [] } });
  }

  /**
   * Uploads the public cross-signing keys. Synapse accepts an account's first upload without
   * user-interactive auth; a replacement needs the account password (m.login.password).
   */
  async uploadSigningKeys(body: Json, password: string | undefined): Promise<void> {
    const path = '/_matrix/client/v3/keys/device_signing/upload';
    const first = await this.call('POST', path, body);
    if (first.status === 200) return;
    const session = typeof first.body?.session === 'string' ? first.body.session : undefined;
    if (first.status !== 401 || !session) throw failure('POST', path, first.status, first.body);
    if (!password) {
      throw new AccountApiError(
        401,
        'M_FORBIDDEN',
        'the homeserver wants the account password to replace the cross-signing keys (matrix.password is not set)',
      );
    }
    const second = await this.call('POST', path, {
      ...body,
      auth: passwordAuth(this.userId, password, session),
    });
    if (second.status !== 200) throw failure('POST', path, second.status, second.body);
  }

  uploadSignatures(body: Json): Promise<Json> {
    return this.ok('POST', '/_matrix/client/v3/keys/signatures/upload', body);
  }

  /** Account data of the user, or null when the type has none. */
  async getAccountData(type: string): Promise<Json | null> {
    const path = `/_matrix/client/v3/user/${encodeURIComponent(this.userId)}/account_data/${encodeURIComponent(type)}`;
    const answer = await this.call('GET', path);
    if (answer.status === 404) return null;
    if (answer.status !== 200) throw failure('GET', path, answer.status, answer.body);
    return answer.body;
  }

  async setAccountData(type: string, content: Json): Promise<void> {
    const path = `/_matrix/client/v3/user/${encodeURIComponent(this.userId)}/account_data/${encodeURIComponent(type)}`;
    await this.ok('PUT', path, content);
  }

  /** The current room-key backup version, or null when the account has none. */
  async currentBackup(): Promise<Json | null> {
    const answer = await this.call('GET', '/_matrix/client/v3/room_keys/version');
    if (answer.status === 404) return null;
    if (answer.status !== 200)
      throw failure('GET', '/_matrix/client/v3/room_keys/version', answer.status, answer.body);
    return answer.body;
  }
}

function failure(method: string, path: string, status: number, body: Json | null): AccountApiError {
  const errcode = typeof body?.errcode === 'string' ? body.errcode : undefined;
  const text = typeof body?.error === 'string' ? `: ${body.error.slice(0, 200)}` : '';
  return new AccountApiError(
    status,
    errcode,
    `${method} ${path.split('?')[0]}: ${errcode ?? `HTTP ${status}`}${text}`,
  );
}
