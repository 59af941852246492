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
  | { kind: 'created'; version: string }
  | { kind: 'in-use'; version: string }
  | { kind: 'restored'; version: string; imported: number; total: number }
  | { kind: 'unavailable'; reason: string };

/**
 * Makes the account's current backup usable by this device: its key from the store or from secret
 * storage (then every backed-up room key is imported), or a new backup when the account has none. A
 * backup whose key the bot cannot find is left alone (it may be another client's).
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
    )
      return { outcome: { kind: 'in-use', version: current.version }, info: current };
    const stored = await storage.get(SECRET.backup);
    const privateKey = stored?.replace(/=+$/, '');
    if (!privateKey || (await backupPublicKey(privateKey)) !== current.auth_data.public_key) {
      return {
        outcome: {
          kind: 'unavailable',
          reason: `the key of the account's backup (version ${current.version}) is not in secret storage`,
        },
        info: null,
      };
    }
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
    outcome: { kind: 'created', version },
    info: {
      version,
      algorithm: BACKUP_ALGORITHM,
      auth_data: { public_key: key.publicKeyBase64, signatures },
    },
  };
}
