import { dirname, join, resolve } from 'node:path';
import {
  CryptoStoreError,
  closeAll,
  isKeysUploadConflict,
  quarantineStore,
  StoreType,
  setLogger,
} from '@matrix-org/matrix-sdk-crypto-nodejs';
import { RustSdkCryptoStorageProvider } from '@vector-im/matrix-bot-sdk';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';

// End-to-end encryption on the bot's side: where the device's keys live, how a start that cannot open
// them is classified, and the shutdown the SDK never does. The engine is the local adapter package
// (packages/matrix-sdk-crypto-nodejs-wasm) behind the name matrix-bot-sdk imports.

/** The crypto store folder: configured, or "crypto" beside the database file. */
export function cryptoStorePath(config: Config): string {
  return resolve(config.matrix.cryptoStorePath ?? join(dirname(config.database.path), 'crypto'));
}

export function createCryptoStore(path: string, log: Logger): RustSdkCryptoStorageProvider {
  setLogger({
    warn: (message, extra) => log.warn({ extra }, message),
    debug: (message, extra) => log.debug({ extra }, message),
  });
  return new RustSdkCryptoStorageProvider(path, StoreType.Sqlite);
}

/**
 * What a failed encrypted start means. `locked`: another process uses the store, so this one must not
 * run at all. `lost`: the device's keys are gone or unreadable (or the homeserver holds other keys for
 * this device); continuing with a fresh identity under the same device would be refused by every other
 * client, so the store is moved aside and the bot runs without encryption until it gets a new device.
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

/** Flushes the keys to disk and releases the store lock (nothing in the SDK does). */
export function closeCrypto(): Promise<void> {
  return closeAll();
}
