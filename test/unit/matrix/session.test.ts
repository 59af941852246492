// Which access token the bot uses after it logged in a device of its own, and how that session is kept.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  chooseSession,
  newSession,
  readSession,
  type StoredSession,
  sessionFilePath,
  tokenFingerprint,
  writeSession,
} from '../../../src/matrix/sdk/session.js';

const configured = 'syt_configured_token';
const stored: StoredSession = newSession(
  { userId: '@bot:example.org', deviceId: 'NEWDEVICE', accessToken: 'syt_new_token' },
  tokenFingerprint(configured),
  new Date('2026-11-29T10:00:00Z'),
);
const confirmed = { kind: 'ok', userId: '@bot:example.org', deviceId: 'NEWDEVICE' } as const;
const dropsStored = { use: 'configured', discardStored: true };

describe('chooseSession', () => {
  it('uses the configured token while there is no stored session', () => {
    expect(chooseSession(configured, null, null)).toMatchObject({ use: 'configured', discardStored: false });
  });

  it('uses the stored session while the configured token is the one it replaced and the homeserver confirms it', () => {
    expect(chooseSession(configured, stored, confirmed)).toEqual({ use: 'stored' });
  });

  it('lets a token the operator put into the configuration later win, and drops the stored session', () => {
    const choice = chooseSession('syt_operator_put_a_new_one', stored, confirmed);
    expect(choice).toMatchObject(dropsStored);
    expect(choice.use === 'configured' && choice.why).toMatch(/configured access token changed/);
  });

  it('drops a stored session the homeserver rejects (its device was removed or logged out)', () => {
    const choice = chooseSession(configured, stored, { kind: 'rejected', reason: 'M_UNKNOWN_TOKEN' });
    expect(choice).toMatchObject(dropsStored);
    expect(choice.use === 'configured' && choice.why).toContain('M_UNKNOWN_TOKEN');
  });

  it('drops a stored session that belongs to another user or device', () => {
    for (const other of [
      { ...confirmed, userId: '@someone:example.org' },
      { ...confirmed, deviceId: 'OTHER' },
    ]) {
      expect(chooseSession(configured, stored, other)).toMatchObject(dropsStored);
    }
  });

  it('keeps the stored session when the homeserver cannot be asked (the start-up checks wait for it)', () => {
    const choice = chooseSession(configured, stored, { kind: 'unreachable', reason: 'ECONNREFUSED' });
    expect(choice).toMatchObject({ use: 'stored' });
  });
});

describe('the stored session file', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'meetbot-session-'));

  it('sits beside the crypto store', () => {
    expect(sessionFilePath('/var/lib/meetbot/crypto')).toBe('/var/lib/meetbot/crypto-session.json');
  });

  it('is written readable by the owner only and read back as written', () => {
    const file = join(dir(), 'crypto-session.json');
    writeSession(file, stored);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readSession(file)).toEqual({ session: stored });
    // The configured token itself is not in the file, only its fingerprint.
    expect(readFileSync(file, 'utf8')).not.toContain(configured);
  });

  it('is absent without a problem, and an unreadable one is reported, not thrown', () => {
    const d = dir();
    expect(readSession(join(d, 'missing.json'))).toEqual({ session: null });
    const broken = join(d, 'broken.json');
    writeFileSync(broken, '{"userId": "@bot:example.org"');
    expect(readSession(broken)).toMatchObject({
      session: null,
      problem: expect.stringContaining('not a stored session'),
    });
    writeFileSync(broken, JSON.stringify({ ...stored, accessToken: '' }));
    expect(readSession(broken).session).toBeNull();
  });
});
