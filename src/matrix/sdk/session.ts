import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../../config/schema.js';
import { type Logger, registerSecret } from '../../log.js';
import {
  LoginError,
  NEW_DEVICE_DISPLAY_NAME,
  type NewLogin,
  passwordLogin,
  type Whoami,
  whoami,
} from './login.js';

// The session of a device the bot logged in itself (after its keys were lost): user, device, access
// token. It lives in a private file (0600) beside the crypto store, not in the database: it is a
// credential (the database is copied into daily backups and read by `npm run evidence`), it is needed
// before the database is opened and before the start-up checks test the token, and it belongs with the
// device keys it was made for.

export interface StoredSession {
  userId: string;
  deviceId: string;
  accessToken: string;
  createdAt: string;
  /** SHA-256 (hex) of the configured access token this session stands in for. */
  replacesToken: string;
}

export { sessionFilePath } from './store-paths.js';

export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A session from a login; `replacesToken` is the fingerprint of the configured token it stands in for. */
export function newSession(login: NewLogin, replacesToken: string, now: Date): StoredSession {
  return { ...login, createdAt: now.toISOString(), replacesToken };
}

/** The stored session, or null when there is none; an unreadable file is reported, not thrown. */
export function readSession(file: string): { session: StoredSession | null; problem?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { session: null };
    return { session: null, problem: `cannot read ${file} (${(error as NodeJS.ErrnoException).code})` };
  }
  try {
    const raw = JSON.parse(text) as Partial<StoredSession>;
    const fields = ['userId', 'deviceId', 'accessToken', 'createdAt', 'replacesToken'] as const;
    if (fields.every((f) => typeof raw[f] === 'string' && raw[f] !== ''))
      return { session: raw as StoredSession };
  } catch {
    // reported below
  }
  return { session: null, problem: `${file} is not a stored session` };
}

/** Written atomically (a crash leaves the old file or the new one), readable by the bot's user only. */
export function writeSession(file: string, session: StoredSession): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeFileSync(fd, `${JSON.stringify(session, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dir = openSync(dirname(file), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

export function removeSession(file: string): void {
  rmSync(file, { force: true });
}

/** Which access token the bot uses, and why. */
export type SessionChoice =
  | { use: 'stored'; note?: string }
  | { use: 'configured'; discardStored: boolean; why: string };

/**
 * The stored session replaces the configured token while the configured token is the one it was made
 * to replace and the homeserver confirms it (same user, same device). A token the operator put into the
 * configuration after the bot logged in its own device wins: the operator acted later. A stored
 * session the homeserver rejects (its device was removed, it was logged out) is dropped.
 */
export function chooseSession(
  configuredToken: string,
  stored: StoredSession | null,
  check: Whoami | null,
): SessionChoice {
  if (!stored) return { use: 'configured', discardStored: false, why: 'no stored session' };
  if (stored.replacesToken !== tokenFingerprint(configuredToken)) {
    return {
      use: 'configured',
      discardStored: true,
      why: `the configured access token changed after the bot logged in device ${stored.deviceId}: the configured one is used`,
    };
  }
  if (!check) return { use: 'stored' };
  switch (check.kind) {
    case 'ok':
      if (check.userId === stored.userId && check.deviceId === stored.deviceId) return { use: 'stored' };
      return {
        use: 'configured',
        discardStored: true,
        why: `the stored session belongs to ${check.userId} device ${check.deviceId ?? '?'}, not ${stored.userId} device ${stored.deviceId}`,
      };
    case 'rejected':
      return {
        use: 'configured',
        discardStored: true,
        why: `the homeserver rejects the stored session of device ${stored.deviceId} (${check.reason})`,
      };
    case 'unreachable':
      return {
        use: 'stored',
        note: `the homeserver could not confirm the stored session (${check.reason}); using it`,
      };
  }
}

/**
 * The configuration with the access token the bot uses: the stored session of the device it logged in
 * itself, when that still applies (see chooseSession). Called before the start-up checks, so that they
 * test the token the bot will use.
 */
export async function applyStoredSession(
  config: Config,
  file: string,
  log: Logger,
  doFetch: typeof fetch = fetch,
  /** `npm run check`: the token the bot would use, changing nothing (no file removed, no login). */
  opts: { readOnly?: boolean } = {},
): Promise<Config> {
  const { session, problem } = readSession(file);
  if (problem) log.warn({ file }, `ignoring the stored session: ${problem}`);
  if (session) registerSecret(session.accessToken);
  const configured = config.matrix.accessToken;
  const check =
    session && session.replacesToken === tokenFingerprint(configured)
      ? await whoami(config.matrix.homeserverUrl, session.accessToken, doFetch)
      : null;
  const choice = chooseSession(configured, session, check);
  if (choice.use === 'stored' && session) {
    if (choice.note) log.warn({ deviceId: session.deviceId }, choice.note);
    log.info(
      { userId: session.userId, deviceId: session.deviceId, since: session.createdAt },
      'using the session of the device the bot logged in itself (instead of matrix.accessToken)',
    );
    return { ...config, matrix: { ...config.matrix, accessToken: session.accessToken } };
  }
  if (opts.readOnly) return config;
  if (choice.use === 'configured' && choice.discardStored) {
    log.warn({ file }, `dropping the stored session: ${choice.why}`);
    removeSession(file);
  }
  // Someone removed the bot's own device (e.g. logged out its "unverified" session in a client), and the
  // configured token belongs to the device the bot removed itself: with the password, a new device.
  const password = config.matrix.password;
  if (session && check?.kind === 'rejected' && password) {
    const configuredCheck = await whoami(config.matrix.homeserverUrl, configured, doFetch);
    if (configuredCheck.kind === 'rejected') {
      try {
        const login = await passwordLogin(
          config.matrix.homeserverUrl,
          session.userId,
          password,
          NEW_DEVICE_DISPLAY_NAME,
          doFetch,
        );
        registerSecret(login.accessToken);
        writeSession(file, newSession(login, session.replacesToken, new Date()));
        log.warn(
          { oldDeviceId: session.deviceId, newDeviceId: login.deviceId, sessionFile: file },
          'logged in a new device with matrix.password: the homeserver rejects both the stored session and matrix.accessToken',
        );
        return { ...config, matrix: { ...config.matrix, accessToken: login.accessToken } };
      } catch (error) {
        log.error(
          { reason: error instanceof LoginError ? error.reason : String(error) },
          'could not log in a new device with matrix.password',
        );
      }
    }
  }
  return config;
}
