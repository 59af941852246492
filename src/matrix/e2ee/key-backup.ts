import { backupPublicKey, createBackupKey } from '@matrix-org/matrix-sdk-crypto-nodejs';
import type { AccountApi, Json } from './account-api.js';
import type { CryptoMachine } from './cross-signing.js';
import { canonicalJson } from './device-trust.js';
import { SECRET, type SecretStorage } from './secret-storage.js';

// The server-side room-key backup (m.megolm_backup.v1.curve25519-aes-sha2): room keys are encrypted
// to the backup's public key and uploaded as they arrive (matrix-bot-sdk's fork does the uploads once
// backup is enabled); the private key sits in secret storage, so a new device of the bot can read what
// the old one could.

export const BACKUP_ALGORITHM = 'm.megolm_backup.v1.curve25519-aes-sha2';

export interface BackupInfo {
  version: string;
  algorithm: string;
  auth_data: { public_key: string; signatures?: unknown };
}

export type BackupOutcome =
  | { kind: 'created'; version: string; replaces?: string }
  | { kind: 'in-use'; version: string }
  | { kind: 'restored'; version: string; imported: number; total: number }
  | { kind: 'unavailable'; reason: string };

/**
 * Makes the account's current backup usable by this device: its key from the store or from secret
 * storage (then every backed-up room key is imported), or a new backup when the account has none or
 * secret storage holds no key for it. A backup whose key differs from the one in secret storage is
 * left alone (another client's doing; the operator decides).
 */
export async function ensureBackup(
  api: AccountApi,
  machine: CryptoMachine,
  storage: SecretStorage,
): Promise<{ outcome: BackupOutcome; info: BackupInfo | null }> {
  const current = (await api.currentBackup()) as BackupInfo | null;
  if (current && current.algorithm !== BACKUP_ALGORITHM)
    return {
      outcome: { kind: 'unavailable', reason: `the account's backup uses ${current.algorithm}` },
      info: null,
    };
  if (current) {
    const local = await machine.getBackupDecryptionKey();
    if (
      local &&
      local.version === current.version &&
      (await backupPublicKey(local.privateKeyBase64)) === current.auth_data.public_key
    ) {
      // A secret storage started afresh (new recovery key) gets the key again.
      const stored = await storage.get(SECRET.backup).catch(() => null);
      if (stored?.replace(/=+$/, '') !== local.privateKeyBase64.replace(/=+$/, ''))
        await storage.store(SECRET.backup, local.privateKeyBase64);
      return { outcome: { kind: 'in-use', version: current.version }, info: current };
    }
    const stored = await storage.get(SECRET.backup);
    const privateKey = stored?.replace(/=+$/, '');
    // Secret storage without a backup key (started afresh after the recovery key was lost): the current
    // backup can be read by nobody who holds this recovery key; a new one takes its place below.
    if (privateKey && (await backupPublicKey(privateKey)) !== current.auth_data.public_key) {
      return {
        outcome: {
          kind: 'unavailable',
          reason: `the key of the account's backup (version ${current.version}) is not in secret storage`,
        },
        info: null,
      };
    }
    if (privateKey) return restore(api, machine, privateKey, current);
  }
  return create(api, machine, storage, current?.version);
}

/** Imports every room key of the backup into this device's store. */
async function restore(
  api: AccountApi,
  machine: CryptoMachine,
  privateKey: string,
  current: BackupInfo,
): Promise<{ outcome: BackupOutcome; info: BackupInfo }> {
  await machine.saveBackupDecryptionKey(privateKey, current.version);
  const keys = await api.ok(
    'GET',
    `/_matrix/client/v3/room_keys/keys?version=${encodeURIComponent(current.version)}`,
  );
  const result = await machine.importBackedUpRoomKeys(keys, current.version);
  return {
    outcome: { kind: 'restored', version: current.version, imported: result.imported, total: result.total },
    info: current,
  };
}

/** A new backup version (it becomes the account's current one), its key in secret storage. */
async function create(
  api: AccountApi,
  machine: CryptoMachine,
  storage: SecretStorage,
  replaces: string | undefined,
): Promise<{ outcome: BackupOutcome; info: BackupInfo }> {
  const key = await createBackupKey();
  const authData: Json = { public_key: key.publicKeyBase64 };
  const signatures = JSON.parse((await machine.sign(canonicalJson(authData))).asJSON()) as Json;
  const created = await api.ok('POST', '/_matrix/client/v3/room_keys/version', {
    algorithm: BACKUP_ALGORITHM,
    auth_data: { ...authData, signatures },
  });
  const version = String(created.version);
  await storage.store(SECRET.backup, key.privateKeyBase64);
  await machine.saveBackupDecryptionKey(key.privateKeyBase64, version);
  return {
    outcome: { kind: 'created', version, ...(replaces ? { replaces } : {}) },
    info: {
      version,
      algorithm: BACKUP_ALGORITHM,
      auth_data: { public_key: key.publicKeyBase64, signatures },
    },
  };
}
