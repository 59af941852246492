import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

// Secret storage as the Matrix spec defines it (Secrets → Storage, algorithm
// m.secret_storage.v1.aes-hmac-sha2): each secret is encrypted with keys derived from the 32-byte
// secret storage key by HKDF-SHA-256 (salt: 32 zero bytes, info: the secret's name), AES-256-CTR with
// a random IV whose bit 63 is cleared, and authenticated with HMAC-SHA-256 over the ciphertext. A key
// description carries the encryption of 32 zero bytes under the name "" so that a key can be checked.
// The same format matrix-js-sdk and Element read (test/unit/matrix/secret-storage-interop.test.ts).

export const SSSS_ALGORITHM = 'm.secret_storage.v1.aes-hmac-sha2';

export interface EncryptedSecret {
  iv: string;
  ciphertext: string;
  mac: string;
}

export interface KeyDescription {
  algorithm: string;
  iv?: string;
  mac?: string;
  name?: string;
  passphrase?: unknown;
}

function deriveKeys(key: Uint8Array, name: string): { aesKey: Buffer; hmacKey: Buffer } {
  const out = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(32), name, 64));
  return { aesKey: out.subarray(0, 32), hmacKey: out.subarray(32) };
}

export function encryptSecret(
  plaintext: string,
  key: Uint8Array,
  name: string,
  iv?: Uint8Array,
): EncryptedSecret {
  const ivBytes = Buffer.from(iv ?? randomBytes(16));
  ivBytes[8] = (ivBytes[8] ?? 0) & 0x7f; // bit 63 cleared: the counter cannot wrap (spec)
  const { aesKey, hmacKey } = deriveKeys(key, name);
  const cipher = createCipheriv('aes-256-ctr', aesKey, ivBytes);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const mac = createHmac('sha256', hmacKey).update(ciphertext).digest();
  return {
    iv: ivBytes.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    mac: mac.toString('base64'),
  };
}

export class SecretDecryptionError extends Error {
  override name = 'SecretDecryptionError';
}

/** The plaintext of a secret; throws SecretDecryptionError when the MAC does not match (wrong key). */
export function decryptSecret(secret: EncryptedSecret, key: Uint8Array, name: string): string {
  const { aesKey, hmacKey } = deriveKeys(key, name);
  const ciphertext = Buffer.from(secret.ciphertext, 'base64');
  const expected = createHmac('sha256', hmacKey).update(ciphertext).digest();
  const mac = Buffer.from(secret.mac, 'base64');
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected))
    throw new SecretDecryptionError(`the key does not open the secret ${name || '(key check)'}`);
  const decipher = createDecipheriv('aes-256-ctr', aesKey, Buffer.from(secret.iv, 'base64'));
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
}

/** The account-data content of a new key (`m.secret_storage.key.<id>`), with its check value. */
export function describeKey(key: Uint8Array, name?: string): KeyDescription {
  const check = encryptSecret('\0'.repeat(32), key, '');
  return { algorithm: SSSS_ALGORITHM, iv: check.iv, mac: check.mac, ...(name ? { name } : {}) };
}

/** Whether `key` is the key a description describes (its check value matches). */
export function keyMatches(description: KeyDescription, key: Uint8Array): boolean {
  if (description.algorithm !== SSSS_ALGORITHM || !description.iv || !description.mac) return false;
  const check = encryptSecret('\0'.repeat(32), key, '', Buffer.from(description.iv, 'base64'));
  // Some clients store the MAC unpadded.
  return check.mac.replace(/=+$/, '') === description.mac.replace(/=+$/, '');
}
