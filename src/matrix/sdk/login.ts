// The three client-server calls of a device change, made directly (the SDK's MatrixClient needs a token
// to exist): who a token belongs to, a password login that makes a new device, and removing a device
// (user-interactive auth with the password). Errors carry the homeserver's errcode and text, never the
// password or a token.

import { jsonOf, networkReason } from '../../fetch-answers.js';

const TIMEOUT_MS = 20_000;

/** How the bot's device shows in other people's session lists after it logged in a new one itself. */
export const NEW_DEVICE_DISPLAY_NAME = 'Consent meeting bot';

/** What the homeserver says about an access token. */
export type Whoami =
  | { kind: 'ok'; userId: string; deviceId: string | undefined }
  /** 401/403: the token is invalid (logged out, device removed, expired). */
  | { kind: 'rejected'; reason: string }
  /** No answer, or an answer that says nothing about the token (5xx, 429): try again later. */
  | { kind: 'unreachable'; reason: string };

export interface NewLogin {
  userId: string;
  deviceId: string;
  accessToken: string;
}

/** A login or device call the homeserver refused or never answered; `reason` is safe to show. */
export class LoginError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'LoginError';
  }
}

type Fetch = typeof fetch;

export async function whoami(
  homeserverUrl: string,
  accessToken: string,
  doFetch: Fetch = fetch,
): Promise<Whoami> {
  let res: Response;
  try {
    res = await doFetch(url(homeserverUrl, '/_matrix/client/v3/account/whoami'), {
      headers: { authorization: `Bearer ${accessToken}` },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    return { kind: 'unreachable', reason: networkReason(error, TIMEOUT_MS) };
  }
  const body = await jsonOf(res);
  if (res.status === 401 || res.status === 403) return { kind: 'rejected', reason: errorText(res, body) };
  if (!res.ok || typeof body?.user_id !== 'string')
    return { kind: 'unreachable', reason: errorText(res, body) };
  return {
    kind: 'ok',
    userId: body.user_id,
    deviceId: typeof body.device_id === 'string' ? body.device_id : undefined,
  };
}

/** POST /login with m.login.password: a new device with its own access token. */
export async function passwordLogin(
  homeserverUrl: string,
  userId: string,
  password: string,
  deviceDisplayName: string,
  doFetch: Fetch = fetch,
): Promise<NewLogin> {
  let res: Response;
  try {
    res = await doFetch(url(homeserverUrl, '/_matrix/client/v3/login'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: userId },
        password,
        initial_device_display_name: deviceDisplayName,
      }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new LoginError(`the homeserver did not answer the login (${networkReason(error, TIMEOUT_MS)})`);
  }
  const body = await jsonOf(res);
  if (!res.ok) throw new LoginError(`the homeserver refused the login (${errorText(res, body)})`);
  if (
    typeof body?.access_token !== 'string' ||
    typeof body.device_id !== 'string' ||
    typeof body.user_id !== 'string'
  ) {
    throw new LoginError('the homeserver answered the login without an access token and device ID');
  }
  return { userId: body.user_id, deviceId: body.device_id, accessToken: body.access_token };
}

/**
 * DELETE /devices/{deviceId}, authenticated with the password (user-interactive auth). A device that is
 * already gone counts as removed.
 */
export async function deleteDevice(
  homeserverUrl: string,
  accessToken: string,
  deviceId: string,
  userId: string,
  password: string,
  doFetch: Fetch = fetch,
): Promise<void> {
  const target = url(homeserverUrl, `/_matrix/client/v3/devices/${encodeURIComponent(deviceId)}`);
  const call = async (body: Record<string, unknown>) => {
    try {
      const res = await doFetch(target, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      return { res, body: await jsonOf(res) };
    } catch (error) {
      throw new LoginError(`the homeserver did not answer (${networkReason(error, TIMEOUT_MS)})`);
    }
  };
  const first = await call({});
  if (first.res.ok || first.res.status === 404) return;
  if (first.res.status !== 401 || typeof first.body?.session !== 'string') {
    throw new LoginError(`the homeserver refused to remove the device (${errorText(first.res, first.body)})`);
  }
  const second = await call({ auth: passwordAuth(userId, password, first.body.session) });
  if (second.res.ok || second.res.status === 404) return;
  throw new LoginError(`the homeserver refused to remove the device (${errorText(second.res, second.body)})`);
}

/** The user-interactive auth stage m.login.password for a session the homeserver opened. */
export function passwordAuth(userId: string, password: string, session: string) {
  return { type: 'm.login.password', identifier: { type: 'm.id.user', user: userId }, password, session };
}

function url(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

function errorText(res: Response, body: Record<string, unknown> | null): string {
  const code = typeof body?.errcode === 'string' ? body.errcode : `HTTP ${res.status}`;
  const text = typeof body?.error === 'string' ? `: ${body.error.slice(0, 200)}` : '';
  return `${code}${text}`;
}
