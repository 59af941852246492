import {
  CryptoStoreError,
  closeAll,
  isKeysUploadConflict,
  quarantineStore,
  setLogger,
} from '@matrix-org/matrix-sdk-crypto-nodejs';
import type { MatrixClient } from '@vector-im/matrix-bot-sdk';
import type { Config } from '../../config/schema.js';
import type { BotStateStore } from '../../db/bot-state-store.js';
import type { Catalogue } from '../../i18n/de.js';
import type { Rich } from '../../i18n/rich.js';
import { type Logger, registerSecret } from '../../log.js';
import { SqliteCryptoStorageProvider } from './crypto-storage.js';
import { deleteDevice, LoginError, NEW_DEVICE_DISPLAY_NAME, passwordLogin } from './login.js';
import { newSession, readSession, tokenFingerprint, writeSession } from './session.js';
import { cryptoStorePath, sessionFilePath } from './store-paths.js';

// End-to-end encryption on the bot's side: where the device's keys live, how a start that cannot open
// them is classified, and the shutdown the SDK never does. The engine is the local adapter package
// (packages/matrix-sdk-crypto-nodejs-wasm) behind the name matrix-bot-sdk imports.

export { cryptoStorePath } from './store-paths.js';

export function createCryptoStore(
  path: string,
  state: BotStateStore,
  log: Logger,
): SqliteCryptoStorageProvider {
  setLogger({
    warn: (message, extra) => log.warn({ extra }, message),
    debug: (message, extra) => log.debug({ extra }, message),
  });
  return new SqliteCryptoStorageProvider(path, state);
}

/**
 * What a failed encrypted start means. `locked`: another process uses the store, so this one must not
 * run at all. `lost`: the device's keys are gone or unreadable (or the homeserver holds other keys for
 * this device); continuing with a fresh identity under the same device would be refused by every other
 * client, so the store is moved aside and the bot gets a new device (startOnNewDevice) or runs without
 * encryption.
 */
export type CryptoStartProblem =
  | { kind: 'locked'; message: string }
  | { kind: 'lost'; reason: string; storagePath?: string; userId?: string; deviceId?: string }
  | null;

export function classifyCryptoStartError(error: unknown): CryptoStartProblem {
  if (error instanceof CryptoStoreError) {
    if (error.code === 'LOCKED') return { kind: 'locked', message: error.message };
    return {
      kind: 'lost',
      reason: error.code === 'LOST' ? 'store missing' : 'store unreadable',
      storagePath: error.storagePath,
      userId: error.userId,
      deviceId: error.deviceId,
    };
  }
  if (isKeysUploadConflict(error))
    return { kind: 'lost', reason: 'the homeserver holds other keys for this device' };
  return null;
}

/** Moves a broken store aside (kept for inspection); returns where it went. */
export function setBrokenStoreAside(problem: Extract<CryptoStartProblem, { kind: 'lost' }>, root: string) {
  return quarantineStore(problem.storagePath ?? root, problem.userId, problem.deviceId);
}

type Lost = Extract<CryptoStartProblem, { kind: 'lost' }>;

/** What became of encryption after the keys were found lost. */
export type LostOutcome =
  | { kind: 'new-device'; oldDeviceId: string | undefined; newDeviceId: string; oldDeviceRemoved: boolean }
  | { kind: 'unencrypted'; loginFailure?: string };

/**
 * After a lost store (already set aside): with `matrix.password`, log in a new device, store its session
 * (it replaces the configured token from now on), remove the old device (best effort) and start
 * encryption on a fresh store for the new device. Any failure leaves the bot running unencrypted: never
 * an exception, never a crash loop. `accessToken` is the token to use either way (the old one may be
 * dead once its device is removed).
 */
export async function startOnNewDevice(opts: {
  config: Config;
  userId: string;
  oldDeviceId: string | undefined;
  /** A client for the token, with the crypto store. */
  makeClient: (accessToken: string) => MatrixClient;
  log: Logger;
}): Promise<{ client: MatrixClient | null; accessToken: string; outcome: LostOutcome }> {
  const { config, userId, oldDeviceId, log } = opts;
  const password = config.matrix.password;
  const accessToken = config.matrix.accessToken;
  if (!password) {
    log.error(
      { deviceId: oldDeviceId },
      'running WITHOUT encryption: set matrix.password for an automatic new device, or put a new access token (a new device) into the configuration',
    );
    return { client: null, accessToken, outcome: { kind: 'unencrypted' } };
  }
  const file = sessionFilePath(cryptoStorePath(config));
  // The fingerprint of the configured token: carried over from a stored session in use.
  const replaces = readSession(file).session?.replacesToken ?? tokenFingerprint(accessToken);
  let session: ReturnType<typeof newSession>;
  try {
    const login = await passwordLogin(config.matrix.homeserverUrl, userId, password, NEW_DEVICE_DISPLAY_NAME);
    registerSecret(login.accessToken);
    session = newSession(login, replaces, new Date());
    writeSession(file, session);
  } catch (error) {
    const loginFailure = failureReason(error);
    log.error(
      { deviceId: oldDeviceId, reason: loginFailure },
      'could not log in a new device with matrix.password; running WITHOUT encryption',
    );
    return { client: null, accessToken, outcome: { kind: 'unencrypted', loginFailure } };
  }
  log.warn(
    { oldDeviceId, newDeviceId: session.deviceId, sessionFile: file },
    'logged in a new device with matrix.password; its session replaces matrix.accessToken',
  );

  let oldDeviceRemoved = false;
  if (oldDeviceId && oldDeviceId !== session.deviceId) {
    try {
      await deleteDevice(config.matrix.homeserverUrl, session.accessToken, oldDeviceId, userId, password);
      oldDeviceRemoved = true;
      log.info({ deviceId: oldDeviceId }, 'removed the old device');
    } catch (error) {
      log.warn(
        { deviceId: oldDeviceId, reason: failureReason(error) },
        'could not remove the old device; remove it in any client session list',
      );
    }
  }

  const client = opts.makeClient(session.accessToken);
  try {
    const started = Date.now();
    await client.crypto.prepare();
    log.info(
      { deviceId: client.crypto.clientDeviceId, ms: Date.now() - started, newDevice: true },
      'encryption ready',
    );
  } catch (error) {
    await closeAll().catch(() => undefined);
    const loginFailure = `the new device ${session.deviceId} could not start encryption (${failureReason(error)})`;
    log.error({ err: error }, `${loginFailure}; running WITHOUT encryption`);
    return {
      client: null,
      accessToken: session.accessToken,
      outcome: { kind: 'unencrypted', loginFailure },
    };
  }
  return {
    client,
    accessToken: session.accessToken,
    outcome: { kind: 'new-device', oldDeviceId, newDeviceId: session.deviceId, oldDeviceRemoved },
  };
}

/** What each admin is told about a lost store, and the note that makes it once per device. */
export function lostStoreNotice(
  lost: Lost,
  outcome: LostOutcome,
  /** What the new device got back from secret storage and the key backup (src/matrix/e2ee/device-security.ts). */
  recovered: { crossSigned: boolean; roomKeys: number | null } = { crossSigned: false, roomKeys: null },
): { note: string; text: (t: Catalogue) => Rich } {
  const old = lost.deviceId ?? 'unknown device';
  if (outcome.kind === 'new-device') {
    return {
      note: `new-device:${outcome.newDeviceId}`,
      text: (t) =>
        t.cryptoNewDevice(lost.reason, old, outcome.newDeviceId, outcome.oldDeviceRemoved, recovered),
    };
  }
  return { note: `lost:${old}`, text: (t) => t.cryptoStoreLost(lost.reason, outcome.loginFailure) };
}

function failureReason(error: unknown): string {
  if (error instanceof LoginError) return error.reason;
  return error instanceof Error ? error.message : String(error);
}

/** Flushes the keys to disk and releases the store lock (nothing in the SDK does). */
export function closeCrypto(): Promise<void> {
  return closeAll();
}
