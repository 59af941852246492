import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StoreType } from '@matrix-org/matrix-sdk-crypto-nodejs';
import {
  type ICryptoRoomInformation,
  type ICryptoStorageProvider,
  RustSdkCryptoStorageProvider,
} from '@vector-im/matrix-bot-sdk';
import type { BotStateStore } from '../../db/bot-state-store.js';

const DEVICE_KEY = 'matrix.crypto.deviceId';
const roomKey = (roomId: string) => `matrix.crypto.room.${roomId}`;

/**
 * matrix-bot-sdk's bookkeeping beside the device's keys: the device ID and, per room, its encryption
 * settings as the SDK's room tracker read them (is it encrypted, its history visibility). Kept in the
 * bot's SQLite file, one row per room.
 *
 * The SDK's own provider keeps them in `bot-sdk.json` through lowdb, which rewrites the whole file
 * in place (no temporary file) on every change: a first start wrote one version of the whole file per room
 * (figures in docs/benchmarks.md, "Idle memory"), and a crash during one of those writes would leave cut-off
 * JSON, on which lowdb throws at every later start. A row in SQLite is written in a transaction.
 *
 * A room's encryption cannot be switched off, so a read that finds less never replaces what is known:
 * fields missing from a new record keep their known values. matrix-bot-sdk stores "not encrypted" when
 * its state read answers 404, and Synapse has answered 404 for a direct-message room the bot had created
 * encrypted a second before (seen under load); the join link then went out in the clear.
 *
 * The device's keys stay where the SDK's provider keeps them (`<storagePath>/<sha256 of the device ID>`),
 * so a store from an earlier version is found again. `bot-sdk.json` from an earlier version is not read:
 * the SDK reads a room's settings again from the homeserver when it needs them.
 */
export class SqliteCryptoStorageProvider implements ICryptoStorageProvider {
  /** The engine's store kind (the adapter keeps one snapshot file per device whatever the kind). */
  readonly storageType = StoreType.Sqlite;
  readonly storagePath: string;

  constructor(
    storagePath: string,
    private readonly state: BotStateStore,
  ) {
    this.storagePath = resolve(storagePath);
    // The device's keys: the bot's user's alone.
    mkdirSync(this.storagePath, { recursive: true, mode: 0o700 });
  }

  /** The folder of one device's keys; the SDK's layout. */
  async getMachineStoragePath(deviceId: string): Promise<string> {
    return join(this.storagePath, createHash('sha256').update(deviceId).digest('hex'));
  }

  async setDeviceId(deviceId: string): Promise<void> {
    this.state.write(DEVICE_KEY, deviceId);
  }

  async getDeviceId(): Promise<string> {
    // The SDK's interface says string; like its own provider, this is undefined before the first start.
    return this.state.read(DEVICE_KEY) as string;
  }

  async getRoom(roomId: string): Promise<ICryptoRoomInformation> {
    const raw = this.state.read(roomKey(roomId));
    // Undefined for a room not checked yet: the SDK then reads its state from the homeserver.
    return (raw === undefined ? undefined : JSON.parse(raw)) as ICryptoRoomInformation;
  }

  async storeRoom(roomId: string, config: ICryptoRoomInformation): Promise<void> {
    const found = Object.entries(config).filter(([, value]) => value !== undefined);
    const known = await this.getRoom(roomId);
    this.state.write(roomKey(roomId), JSON.stringify({ ...known, ...Object.fromEntries(found) }));
  }
}

// MatrixClient accepts only an `instanceof RustSdkCryptoStorageProvider` as its crypto store, and that
// class's constructor opens bot-sdk.json. Inheriting without its constructor passes the check; every
// method of that class is defined here (test/integration/matrix/crypto-storage.test.ts checks it).
Object.setPrototypeOf(SqliteCryptoStorageProvider.prototype, RustSdkCryptoStorageProvider.prototype);
