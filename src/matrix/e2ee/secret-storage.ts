import { randomBytes } from 'node:crypto';
import type { AccountApi } from './account-api.js';
import {
  decryptSecret,
  describeKey,
  type EncryptedSecret,
  encryptSecret,
  type KeyDescription,
  keyMatches,
  SecretDecryptionError,
} from './secret-storage-format.js';

// The account's secret storage (account data): the default key's ID in `m.secret_storage.default_key`,
// its description in `m.secret_storage.key.<id>`, each secret in account data of its own name,
// encrypted under that key. The bot opens it with the recovery key the operator holds.

export const DEFAULT_KEY = 'm.secret_storage.default_key';
export const keyType = (keyId: string) => `m.secret_storage.key.${keyId}`;

export type OpenedStorage =
  | { kind: 'open'; storage: SecretStorage; created: boolean }
  /** The account's default key is another one: the recovery key does not belong to this account. */
  | { kind: 'wrong-key'; keyId: string };

export class SecretStorage {
  private constructor(
    private readonly api: AccountApi,
    readonly keyId: string,
    private readonly key: Buffer,
  ) {}

  /**
   * Opens the account's secret storage with `key`, or creates it (a new default key) when the account
   * has none. An existing default key that `key` does not open is never replaced: secrets other
   * clients stored under it would be lost.
   */
  static async open(api: AccountApi, key: Buffer): Promise<OpenedStorage> {
    const found = await SecretStorage.find(api, key);
    if (found.kind !== 'none') return found;
    const newId = randomBytes(24).toString('base64url').replace(/[-_]/g, '').slice(0, 32);
    await api.setAccountData(keyType(newId), { ...describeKey(key) });
    await api.setAccountData(DEFAULT_KEY, { key: newId });
    return { kind: 'open', storage: new SecretStorage(api, newId, key), created: true };
  }

  /** The account's secret storage opened with `key`, changing nothing; `none` when it has none. */
  static async find(api: AccountApi, key: Buffer): Promise<OpenedStorage | { kind: 'none' }> {
    const current = await api.getAccountData(DEFAULT_KEY);
    const keyId = typeof current?.key === 'string' ? current.key : undefined;
    if (!keyId) return { kind: 'none' };
    const description = (await api.getAccountData(keyType(keyId))) as KeyDescription | null;
    if (description && keyMatches(description, key))
      return { kind: 'open', storage: new SecretStorage(api, keyId, key), created: false };
    return { kind: 'wrong-key', keyId };
  }

  /** The secret, null when the account holds none under this key. Throws when it is not readable. */
  async get(name: string): Promise<string | null> {
    const data = await this.api.getAccountData(name);
    const encrypted = (data?.encrypted as Record<string, EncryptedSecret> | undefined)?.[this.keyId];
    if (!encrypted) return null;
    return decryptSecret(encrypted, this.key, name);
  }

  /** Whether the secret is stored and opens with this key (a damaged one counts as missing). */
  async has(name: string): Promise<boolean> {
    try {
      return (await this.get(name)) !== null;
    } catch (error) {
      if (error instanceof SecretDecryptionError) return false;
      throw error;
    }
  }

  async store(name: string, secret: string): Promise<void> {
    await this.api.setAccountData(name, {
      encrypted: { [this.keyId]: encryptSecret(secret, this.key, name) },
    });
  }
}

/** The names of the secrets the bot keeps (the spec's names; Element uses the same). */
export const SECRET = {
  master: 'm.cross_signing.master',
  selfSigning: 'm.cross_signing.self_signing',
  userSigning: 'm.cross_signing.user_signing',
  backup: 'm.megolm_backup.v1',
} as const;
