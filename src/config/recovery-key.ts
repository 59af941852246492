import { randomBytes } from 'node:crypto';

// The recovery key as the Matrix spec writes it ("Key representation" under Secret storage): base58
// (Bitcoin alphabet) of 0x8B 0x01, the 32 key bytes and a parity byte (XOR of all bytes before it),
// shown in groups of four characters. The same text Element shows as a "recovery key"/"security key".

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const PREFIX = [0x8b, 0x01];
const KEY_BYTES = 32;

export class RecoveryKeyError extends Error {
  override name = 'RecoveryKeyError';
}

/** The displayed recovery key of 32 key bytes. */
export function encodeRecoveryKey(key: Uint8Array): string {
  if (key.length !== KEY_BYTES) throw new RecoveryKeyError(`a recovery key holds ${KEY_BYTES} bytes`);
  const bytes = Buffer.alloc(PREFIX.length + KEY_BYTES + 1);
  bytes.set(PREFIX, 0);
  bytes.set(key, PREFIX.length);
  bytes[bytes.length - 1] = bytes.subarray(0, -1).reduce((parity, b) => parity ^ b, 0);
  return (base58(bytes).match(/.{1,4}/g) ?? []).join(' ');
}

/** The 32 key bytes of a recovery key; spaces anywhere are ignored. Throws RecoveryKeyError. */
export function decodeRecoveryKey(text: string): Buffer {
  const bytes = unbase58(text.replace(/\s+/g, ''));
  if (bytes.length !== PREFIX.length + KEY_BYTES + 1) throw new RecoveryKeyError('wrong length');
  if (bytes[0] !== PREFIX[0] || bytes[1] !== PREFIX[1]) throw new RecoveryKeyError('wrong prefix');
  if (bytes.reduce((parity, b) => parity ^ b, 0) !== 0) throw new RecoveryKeyError('parity check failed');
  return Buffer.from(bytes.subarray(PREFIX.length, -1));
}

/** The all-zero key config.example.json shows: valid in form, refused in use (it is public). */
export function isPlaceholderKey(key: Uint8Array): boolean {
  return key.every((b) => b === 0);
}

/** A new random recovery key (displayed form). */
export function generateRecoveryKey(): string {
  return encodeRecoveryKey(randomBytes(KEY_BYTES));
}

function base58(bytes: Uint8Array): string {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

function unbase58(text: string): Buffer {
  let n = 0n;
  for (const c of text) {
    const digit = ALPHABET.indexOf(c);
    if (digit < 0) throw new RecoveryKeyError(`"${c}" is not a base58 character`);
    n = n * 58n + BigInt(digit);
  }
  let hex = n === 0n ? '' : n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const zeros = /^1*/.exec(text)?.[0].length ?? 0;
  return Buffer.concat([Buffer.alloc(zeros), Buffer.from(hex, 'hex')]);
}
