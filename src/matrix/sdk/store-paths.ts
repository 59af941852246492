import { basename, dirname, join, resolve } from 'node:path';
import type { Config } from '../../config/schema.js';

// Where the device's keys and the session of a device the bot logged in itself live. A module of its
// own, so that `npm run check` finds them without loading the Matrix SDK.

/** The crypto store folder: configured, or "crypto" beside the database file. */
export function cryptoStorePath(config: Config): string {
  return resolve(config.matrix.cryptoStorePath ?? join(dirname(config.database.path), 'crypto'));
}

/** `<crypto store>-session.json`, e.g. data/crypto-session.json. */
export function sessionFilePath(cryptoStore: string): string {
  return join(dirname(cryptoStore), `${basename(cryptoStore)}-session.json`);
}
