/**
 * Why the crypto store cannot be opened. The bot turns LOST and CORRUPT into "new device, logged,
 * told to the admins once"; LOCKED means another process owns the store (never start a second one).
 * @typedef {'LOCKED' | 'CORRUPT' | 'LOST'} CryptoStoreErrorCode
 */
class CryptoStoreError extends Error {
  /**
   * @param {CryptoStoreErrorCode} code
   * @param {string} message
   * @param {{ storagePath: string, userId?: string, deviceId?: string, cause?: unknown }} details
   */
  constructor(code, message, details) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'CryptoStoreError';
    this.code = code;
    this.storagePath = details.storagePath;
    this.userId = details.userId;
    this.deviceId = details.deviceId;
  }
}

/** A room event that could not be decrypted (wraps the engine's MegolmDecryptionError, which is no Error). */
class DecryptionError extends Error {
  constructor(code, description, maybeWithheld) {
    super(`Decryption failed (${code}): ${description}`);
    this.name = 'DecryptionError';
    this.code = code;
    this.description = description;
    this.maybeWithheld = maybeWithheld;
  }
}

let decryptionErrorNames = {};
function setDecryptionErrorNames(names) {
  decryptionErrorNames = names;
}

/** The engine throws plain values and wasm-bindgen objects; callers (and their logs) expect Errors. */
function toError(err, context) {
  if (err instanceof Error) return err;
  if (err && typeof err === 'object' && 'code' in err && 'description' in err) {
    // MegolmDecryptionError: `code` is a DecryptionErrorCode number; give its name (MissingRoomKey, …).
    const code =
      typeof err.code === 'number' ? (decryptionErrorNames[err.code] ?? String(err.code)) : String(err.code);
    return new DecryptionError(
      code,
      String(err.description),
      err.withheldCode ?? err.maybe_withheld ?? undefined,
    );
  }
  let text;
  try {
    text = typeof err === 'string' ? err : JSON.stringify(err);
  } catch {
    text = String(err);
  }
  return new Error(`${context}: ${text}`);
}

module.exports = { CryptoStoreError, DecryptionError, toError, setDecryptionErrorNames };
