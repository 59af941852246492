// After a lost key store: the login of a new device with matrix.password against a homeserver over HTTP
// (a small stand-in answering /login and DELETE /devices), and every way it can fail: the bot ends up
// unencrypted with a reason, never with an exception, and neither the password nor the new token is logged.
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MatrixClient } from '@vector-im/matrix-bot-sdk';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/log.js';
import { startOnNewDevice } from '../../../src/matrix/sdk/crypto.js';
import {
  applyStoredSession,
  newSession,
  readSession,
  tokenFingerprint,
  writeSession,
} from '../../../src/matrix/sdk/session.js';
import { bodyOf, json as reply, serve } from '../../support/stand-in-servers.js';

const PASSWORD = 'correct horse "battery" staple';
const NEW_TOKEN = 'syt_brand_new_token_of_the_new_device';
const CONFIGURED = 'syt_configured_token_of_the_old_device';

type Handler = (req: IncomingMessage, body: Record<string, unknown>, res: ServerResponse) => void;
interface Seen {
  method: string;
  url: string;
  body: Record<string, unknown>;
  auth?: string;
}

async function homeserver(handler: Handler) {
  const seen: Seen[] = [];
  const standIn = await serve(async (req, res) => {
    const text = await bodyOf(req);
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    seen.push({ method: req.method ?? '', url: req.url ?? '', body, auth: req.headers.authorization });
    handler(req, body, res);
  });
  return { ...standIn, seen };
}

function setup(homeserverUrl: string, password: string | null = PASSWORD, accessToken = CONFIGURED) {
  const dir = mkdtempSync(join(tmpdir(), 'meetbot-new-device-'));
  const config = parseConfig(
    {
      matrix: { homeserverUrl, accessToken, ...(password ? { password } : {}) },
      bbb: { url: 'https://bbb.example.org/bigbluebutton/', secret: 'a-long-enough-secret' },
      database: { path: join(dir, 'bot.db') },
    },
    'config.json',
    {},
  );
  const lines: string[] = [];
  const log = createLogger('trace', { write: (line: string) => lines.push(line) });
  const made: string[] = [];
  const prepared = { ok: true };
  const makeClient = (token: string) => {
    made.push(token);
    return {
      crypto: {
        clientDeviceId: 'NEWDEVICE',
        prepare: async () => {
          if (!prepared.ok) throw new Error('keys upload failed');
        },
      },
    } as unknown as MatrixClient;
  };
  const run = () =>
    startOnNewDevice({ config, userId: '@bot:example.org', oldDeviceId: 'OLDDEVICE', makeClient, log });
  return { dir, config, log, lines, made, prepared, run, sessionFile: join(dir, 'crypto-session.json') };
}

/** A homeserver answering with `handler`, and the login of a new device against it. */
async function newDeviceWith(handler: Handler, password?: string | null) {
  const hs = await homeserver(handler);
  const s = setup(hs.url, password);
  return { hs, s, result: await s.run() };
}

/** A session file as a login of `deviceId` left it, in place of the configured token. */
function store(file: string, deviceId: string, accessToken: string) {
  const login = { userId: '@bot:example.org', deviceId, accessToken };
  writeSession(file, newSession(login, tokenFingerprint(CONFIGURED), new Date()));
}

function loggedNoSecret(lines: string[]) {
  const out = lines.join('');
  expect(out).not.toContain('battery');
  expect(out).not.toContain(NEW_TOKEN);
}

const loginOk: Handler = (req, _body, res) => {
  if (req.url === '/_matrix/client/v3/login')
    return reply(res, 200, { user_id: '@bot:example.org', device_id: 'NEWDEVICE', access_token: NEW_TOKEN });
  return reply(res, 404, { errcode: 'M_UNRECOGNIZED' });
};

/** Logs in; DELETE /devices asks for the password (UIA), then answers the authenticated retry with `second`. */
const loginThenDelete =
  (second: [number, unknown]): Handler =>
  (req, body, res) => {
    if (req.method !== 'DELETE') return loginOk(req, body, res);
    if (!body.auth) return reply(res, 401, { session: 'uia-1', flows: [{ stages: ['m.login.password'] }] });
    reply(res, ...second);
  };

describe('a new device after lost keys', () => {
  it('logs in with the password, keeps the session privately, removes the old device with the password, encrypts again', async () => {
    const { hs, s, result } = await newDeviceWith(loginThenDelete([200, {}]));

    expect(result.outcome).toEqual({
      kind: 'new-device',
      oldDeviceId: 'OLDDEVICE',
      newDeviceId: 'NEWDEVICE',
      oldDeviceRemoved: true,
    });
    expect(result.client).not.toBeNull();
    expect(result.accessToken).toBe(NEW_TOKEN);
    expect(s.made).toEqual([NEW_TOKEN]);
    expect(hs.seen[0]).toMatchObject({
      method: 'POST',
      url: '/_matrix/client/v3/login',
      body: {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: '@bot:example.org' },
        password: PASSWORD,
        initial_device_display_name: 'Consent meeting bot',
      },
    });
    expect(hs.seen.slice(1).map((r) => [r.method, r.url, r.auth])).toEqual([
      ['DELETE', '/_matrix/client/v3/devices/OLDDEVICE', `Bearer ${NEW_TOKEN}`],
      ['DELETE', '/_matrix/client/v3/devices/OLDDEVICE', `Bearer ${NEW_TOKEN}`],
    ]);
    expect(hs.seen[2]?.body.auth).toEqual({
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: '@bot:example.org' },
      password: PASSWORD,
      session: 'uia-1',
    });
    expect(readSession(s.sessionFile).session).toMatchObject({
      userId: '@bot:example.org',
      deviceId: 'NEWDEVICE',
      accessToken: NEW_TOKEN,
      replacesToken: tokenFingerprint(CONFIGURED),
    });
    expect(statSync(s.sessionFile).mode & 0o777).toBe(0o600);
    expect(s.lines.join('')).toContain('logged in a new device');
    loggedNoSecret(s.lines);
  });

  it('goes on when the old device cannot be removed: logged, and the admins are told so', async () => {
    const { s, result } = await newDeviceWith(
      loginThenDelete([401, { errcode: 'M_FORBIDDEN', error: 'Invalid password', session: 'uia-1' }]),
    );
    expect(result.outcome).toMatchObject({ kind: 'new-device', oldDeviceRemoved: false });
    const warning = s.lines.find((l) => l.includes('could not remove the old device'));
    expect(warning).toContain('M_FORBIDDEN');
    loggedNoSecret(s.lines);
  });

  it('a wrong password: unencrypted with the homeserver’s reason, no session, no new client', async () => {
    const { s, result } = await newDeviceWith((_req, _body, res) =>
      reply(res, 403, { errcode: 'M_FORBIDDEN', error: 'Invalid username or password' }),
    );
    expect(result.client).toBeNull();
    expect(result.accessToken).toBe(CONFIGURED);
    expect(result.outcome).toEqual({
      kind: 'unencrypted',
      loginFailure: 'the homeserver refused the login (M_FORBIDDEN: Invalid username or password)',
    });
    expect(s.made).toEqual([]);
    expect(existsSync(s.sessionFile)).toBe(false);
    expect(s.lines.join('')).toContain('could not log in a new device with matrix.password');
    loggedNoSecret(s.lines);
  });

  it('a homeserver that does not answer: unencrypted with the reason', async () => {
    const closed = await homeserver(loginOk);
    await closed.close();
    const s = setup(closed.url);
    const result = await s.run();
    expect(result.client).toBeNull();
    expect(result.outcome).toMatchObject({
      kind: 'unencrypted',
      loginFailure: expect.stringMatching(/did not answer the login \(ECONNREFUSED\)/),
    });
  });

  it('without a password: unencrypted, and nothing is asked of the homeserver', async () => {
    const { hs, s, result } = await newDeviceWith(loginOk, null);
    expect(result).toMatchObject({ client: null, accessToken: CONFIGURED, outcome: { kind: 'unencrypted' } });
    expect(hs.seen).toEqual([]);
    expect(s.lines.join('')).toContain('set matrix.password');
  });

  it('the new device cannot start encryption: unencrypted, but with the new token (the old device may be gone)', async () => {
    const hs = await homeserver((req, body, res) =>
      req.method === 'DELETE' ? reply(res, 200, {}) : loginOk(req, body, res),
    );
    const s = setup(hs.url);
    s.prepared.ok = false;
    const result = await s.run();
    expect(result.client).toBeNull();
    expect(result.accessToken).toBe(NEW_TOKEN);
    expect(result.outcome).toMatchObject({
      kind: 'unencrypted',
      loginFailure: expect.stringContaining('NEWDEVICE could not start encryption'),
    });
    expect(readFileSync(s.sessionFile, 'utf8')).toContain('NEWDEVICE');
    loggedNoSecret(s.lines);
  });
});

describe('the stored session at the next start', () => {
  async function withStored(handler: Handler, configuredToken: string) {
    const hs = await homeserver(handler);
    const s = setup(hs.url, null, configuredToken);
    store(s.sessionFile, 'NEWDEVICE', NEW_TOKEN);
    return {
      ...s,
      hs,
      apply: (opts: { readOnly?: boolean } = {}) =>
        applyStoredSession(s.config, s.sessionFile, s.log, fetch, opts),
    };
  }
  const whoamiAnswer =
    (status: number, body: unknown): Handler =>
    (_req, _body, res) =>
      reply(res, status, body);
  const accepted = whoamiAnswer(200, { user_id: '@bot:example.org', device_id: 'NEWDEVICE' });
  const rejected = whoamiAnswer(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Unknown token' });

  it('stands in for matrix.accessToken while the homeserver confirms it', async () => {
    const s = await withStored(accepted, CONFIGURED);
    expect((await s.apply()).matrix.accessToken).toBe(NEW_TOKEN);
    expect(s.hs.seen.map((r) => [r.url, r.auth])).toEqual([
      ['/_matrix/client/v3/account/whoami', `Bearer ${NEW_TOKEN}`],
    ]);
    loggedNoSecret(s.lines);
  });

  it('gives way to a new token the operator put into the configuration, and is removed', async () => {
    const s = await withStored(accepted, 'syt_operator_made_a_new_one');
    expect((await s.apply()).matrix.accessToken).toBe('syt_operator_made_a_new_one');
    expect(existsSync(s.sessionFile)).toBe(false);
    expect(s.hs.seen).toEqual([]);
  });

  it('is only read by npm run check: a rejected one stays, nothing else is asked', async () => {
    const s = await withStored(rejected, CONFIGURED);
    expect((await s.apply({ readOnly: true })).matrix.accessToken).toBe(CONFIGURED);
    expect(existsSync(s.sessionFile)).toBe(true);
    expect(s.hs.seen).toHaveLength(1);
  });

  it('is removed when the homeserver rejects it', async () => {
    const s = await withStored(rejected, CONFIGURED);
    expect((await s.apply()).matrix.accessToken).toBe(CONFIGURED);
    expect(existsSync(s.sessionFile)).toBe(false);
    expect(s.lines.join('')).toContain('M_UNKNOWN_TOKEN');
  });
});

describe('both tokens rejected (someone removed the bot’s own device)', () => {
  it('with the password: a new device, its session stored', async () => {
    const hs = await homeserver((req, body, res) =>
      req.url === '/_matrix/client/v3/login'
        ? loginOk(req, body, res)
        : reply(res, 401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Unknown token' }),
    );
    const s = setup(hs.url);
    store(s.sessionFile, 'REMOVED', 'syt_removed_device_token');
    expect((await applyStoredSession(s.config, s.sessionFile, s.log)).matrix.accessToken).toBe(NEW_TOKEN);
    expect(hs.seen.map((r) => r.url)).toEqual([
      '/_matrix/client/v3/account/whoami',
      '/_matrix/client/v3/account/whoami',
      '/_matrix/client/v3/login',
    ]);
    expect(readSession(s.sessionFile).session).toMatchObject({
      deviceId: 'NEWDEVICE',
      replacesToken: tokenFingerprint(CONFIGURED),
    });
    loggedNoSecret(s.lines);
  });
});
