import { decodeRecoveryKey, isPlaceholderKey } from '../config/recovery-key.js';
import type { Config } from '../config/schema.js';
import { AccountApi } from '../matrix/e2ee/account-api.js';
import { deviceTrust } from '../matrix/e2ee/device-trust.js';
import { SECRET, SecretStorage } from '../matrix/e2ee/secret-storage.js';
import { whoami } from '../matrix/sdk/login.js';

/** One check line (a CheckResult of checks.ts, which imports this module). */
interface EncryptionCheck {
  name: 'encryption';
  status: 'ok' | 'warn' | 'fail';
  message: string;
}

/**
 * `npm run check`'s encryption item, changing nothing: is the device of the access token cross-signed
 * by its owner (what clients that exclude insecure devices require), and does matrix.recoveryKey open
 * the account's secret storage with the keys a new device would need. Never fails the start: the bot
 * sets these up itself at start-up; a warning says what it cannot do.
 */
export async function checkEncryption(
  config: Config,
  doFetch: typeof fetch = fetch,
): Promise<EncryptionCheck> {
  const result = (status: EncryptionCheck['status'], message: string): EncryptionCheck => ({
    name: 'encryption',
    status,
    message,
  });
  if (!config.matrix.encryption) return result('ok', 'off (matrix.encryption: false)');
  try {
    const me = await whoami(config.matrix.homeserverUrl, config.matrix.accessToken, doFetch);
    if (me.kind !== 'ok' || !me.deviceId)
      return result('warn', 'not checked: the homeserver did not name the device of the access token');
    const api = new AccountApi(config.matrix.homeserverUrl, config.matrix.accessToken, me.userId, doFetch);
    const trust = deviceTrust(await api.queryOwnKeys(), me.userId, me.deviceId);
    const problems: string[] = [];
    let device: string;
    switch (trust.kind) {
      case 'signed':
        // Published by the operator, it lets users check the bot's identity beyond trust on first use.
        device = `device ${me.deviceId} is cross-signed by its owner (master key ${fingerprint(trust.masterKey)})`;
        break;
      case 'unknown-device':
        device = `device ${me.deviceId} has no keys yet (the bot makes them at its first start)`;
        break;
      case 'no-cross-signing':
        device = `the account has no cross-signing keys yet (the bot makes them at its next start)`;
        break;
      case 'unsigned':
        device = `device ${me.deviceId} is NOT cross-signed (${trust.reason})`;
        problems.push('Element users who exclude insecure devices cannot use the bot');
        break;
    }
    const backup = await api.currentBackup();
    let secrets: string;
    const recoveryKey = config.matrix.recoveryKey ? decodeRecoveryKey(config.matrix.recoveryKey) : null;
    if (recoveryKey && isPlaceholderKey(recoveryKey)) {
      secrets =
        'matrix.recoveryKey is the placeholder of config.example.json and is not used: make your own with npm run recovery-key';
      problems.push('placeholder recovery key');
    } else if (!recoveryKey) {
      secrets = 'no matrix.recoveryKey: a lost key store cannot be recovered (npm run recovery-key)';
      problems.push('no recovery key');
    } else {
      const found = await SecretStorage.find(api, recoveryKey);
      if (found.kind === 'wrong-key') {
        secrets = `matrix.recoveryKey does not open the account's secret storage (default key ${found.keyId})`;
        problems.push('wrong recovery key');
      } else if (found.kind === 'none') {
        secrets = 'secret storage not set up yet (the bot does it at its next start)';
      } else {
        const held = await Promise.all(
          Object.values(SECRET).map(async (name) => [name, await found.storage.has(name)] as const),
        );
        const missing = held.filter(([, has]) => !has).map(([name]) => name);
        secrets =
          missing.length === 0
            ? 'matrix.recoveryKey opens secret storage with the cross-signing and backup keys'
            : `matrix.recoveryKey opens secret storage, which lacks ${missing.join(', ')} (the bot stores them at its next start)`;
      }
    }
    const backupText = backup
      ? `room-key backup version ${String(backup.version)}`
      : 'no room-key backup yet';
    return result(problems.length === 0 ? 'ok' : 'warn', `${device}; ${secrets}; ${backupText}`);
  } catch (error) {
    return result('warn', `not checked: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A public key as clients show it: groups of four characters. */
export function fingerprint(key: string): string {
  return (key.match(/.{1,4}/g) ?? []).join(' ');
}
