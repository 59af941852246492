import type { MatrixClient } from '@vector-im/matrix-bot-sdk';
import { decodeRecoveryKey, isPlaceholderKey } from '../../config/recovery-key.js';
import type { Config } from '../../config/schema.js';
import type { Logger } from '../../log.js';
import { AccountApi } from './account-api.js';
import {
  type CrossSigningOutcome,
  type CryptoMachine,
  ensureCrossSigned,
  storeCrossSigningKeys,
} from './cross-signing.js';
import { type BackupOutcome, ensureBackup } from './key-backup.js';
import { SecretStorage } from './secret-storage.js';

// At every encrypted start, after the device's keys are open and before the first sync: the device is
// cross-signed by its owner, its private cross-signing keys and the room-key backup's key are in the
// account's secret storage under the operator's recovery key, and room keys are backed up as they
// arrive. A new device (lost key store) gets the keys back from there. Nothing here stops the bot:
// what fails is logged, and the bot still works for clients that do not exclude insecure devices.

export interface DeviceSecurity {
  crossSigning: CrossSigningOutcome;
  secretStorage: 'opened' | 'created' | 'wrong-key' | 'no-recovery-key' | 'placeholder' | 'failed';
  backup: BackupOutcome | null;
  ms: number;
}

/** The engine behind matrix-bot-sdk's CryptoClient (the adapter's OlmMachine). */
function machineOf(client: MatrixClient): CryptoMachine {
  return (client.crypto as unknown as { engine: { machine: CryptoMachine } }).engine.machine;
}

export async function secureDevice(
  config: Config,
  client: MatrixClient,
  log: Logger,
): Promise<DeviceSecurity> {
  const started = Date.now();
  const machine = machineOf(client);
  const deviceId = client.crypto.clientDeviceId;
  const api = new AccountApi(config.matrix.homeserverUrl, client.accessToken, await client.getUserId());
  machine.setSignatureUploadSender(async (body) =>
    JSON.stringify(await api.uploadSignatures(JSON.parse(body))),
  );

  let storage: SecretStorage | null = null;
  let secretStorage: DeviceSecurity['secretStorage'] = 'no-recovery-key';
  const recoveryKey = config.matrix.recoveryKey ? decodeRecoveryKey(config.matrix.recoveryKey) : null;
  if (recoveryKey && isPlaceholderKey(recoveryKey)) {
    secretStorage = 'placeholder';
    log.error(
      'matrix.recoveryKey is the placeholder of config.example.json, which anyone can read: it is not used; make your own with npm run recovery-key',
    );
  } else if (recoveryKey) {
    try {
      const opened = await SecretStorage.open(api, recoveryKey);
      if (opened.kind === 'open') {
        storage = opened.storage;
        secretStorage = opened.created ? 'created' : 'opened';
      } else {
        secretStorage = 'wrong-key';
        log.error(
          { keyId: opened.keyId },
          "matrix.recoveryKey does not open the account's secret storage (its default key is another one): the bot cannot keep or read its keys there",
        );
      }
    } catch (error) {
      secretStorage = 'failed';
      log.error({ reason: reasonOf(error) }, 'could not open secret storage');
    }
  }

  let crossSigning: CrossSigningOutcome;
  try {
    crossSigning = await ensureCrossSigned({
      api,
      machine,
      deviceId,
      password: config.matrix.password,
      storage,
    });
  } catch (error) {
    crossSigning = { kind: 'unsigned', reason: reasonOf(error) };
  }
  if (crossSigning.kind === 'unsigned') {
    log.error(
      { deviceId, reason: crossSigning.reason },
      'this device is NOT cross-signed: clients that exclude insecure devices (Element) neither share their keys with the bot nor show its messages',
    );
  } else {
    if (crossSigning.kind === 'reset')
      log.warn(
        { masterKey: crossSigning.masterKey },
        "made new cross-signing keys (the account's old ones were nowhere to be had): clients that verified the bot see that its identity changed",
      );
    log.info(
      {
        deviceId,
        masterKey: crossSigning.masterKey,
        outcome: crossSigning.kind,
        ...('from' in crossSigning ? { from: crossSigning.from } : {}),
      },
      'this device is cross-signed by its owner',
    );
  }

  let backup: BackupOutcome | null = null;
  if (storage) {
    try {
      if (crossSigning.kind !== 'unsigned') {
        const stored = await storeCrossSigningKeys(machine, storage);
        if (stored > 0) log.info({ stored }, 'stored the cross-signing keys in secret storage');
      }
      const ensured = await ensureBackup(api, machine, storage);
      backup = ensured.outcome;
      if (ensured.info) {
        client.on('crypto.failed_backup', (error: unknown) =>
          log.warn(
            { reason: reasonOf(error) },
            'uploading room keys to the backup failed; tried again with the next key',
          ),
        );
        await client.crypto.enableKeyBackup(ensured.info as never);
        void uploadWaitingKeys(client, machine, log);
      }
    } catch (error) {
      backup = { kind: 'unavailable', reason: reasonOf(error) };
    }
    if (backup.kind === 'unavailable') log.error({ reason: backup.reason }, 'room keys are NOT backed up');
    else log.info({ ...backup }, 'room keys are backed up to the homeserver');
  } else if (secretStorage === 'no-recovery-key') {
    log.warn(
      'no matrix.recoveryKey: the cross-signing keys are kept only in this key store and room keys are not backed up; a new device (after the key store is gone) would not be cross-signed and could not read earlier encrypted messages (npm run recovery-key makes a recovery key)',
    );
  }
  const ms = Date.now() - started;
  log.info({ ms }, 'device security checked');
  return { crossSigning, secretStorage, backup, ms };
}

/**
 * The SDK uploads one batch of room keys when backup is enabled and one per arriving key; keys the store
 * held before (e.g. the first start with a recovery key) go up here, batch after batch, in the background.
 */
async function uploadWaitingKeys(client: MatrixClient, machine: CryptoMachine, log: Logger): Promise<void> {
  const engine = (client.crypto as unknown as { engine: { backupRoomKeys(): Promise<void> } }).engine;
  try {
    let before = await machine.roomKeyCounts();
    while (before.backedUp < before.total) {
      await engine.backupRoomKeys();
      const after = await machine.roomKeyCounts();
      if (after.backedUp <= before.backedUp) break; // no progress: the next arriving key tries again
      before = after;
    }
  } catch (error) {
    log.warn({ reason: reasonOf(error) }, 'uploading the waiting room keys to the backup failed');
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
