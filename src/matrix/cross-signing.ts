import type { OlmMachine } from '@matrix-org/matrix-sdk-crypto-nodejs';
import type { AccountApi, Json } from './account-api.js';
import { type DeviceTrust, deviceTrust } from './device-trust.js';
import { SECRET, type SecretStorage } from './secret-storage.js';

// The bot cross-signs its own device: clients that exclude insecure devices (Element since April
// 2026, MSC4153) share no room keys with an unsigned device and hide what it sends.

/** The parts of the crypto engine (the adapter's OlmMachine) this needs. */
export type CryptoMachine = Pick<
  OlmMachine,
  | 'bootstrapCrossSigning'
  | 'crossSigningStatus'
  | 'exportCrossSigningKeys'
  | 'importCrossSigningKeys'
  | 'signOwnDevice'
  | 'markRequestAsSent'
  | 'markSignaturesSent'
  | 'sign'
  | 'getBackupDecryptionKey'
  | 'saveBackupDecryptionKey'
  | 'importBackedUpRoomKeys'
  | 'setSignatureUploadSender'
>;

export type CrossSigningOutcome =
  /** Already signed at start. */
  | { kind: 'signed'; masterKey: string }
  /** New cross-signing keys for the account, the device signed with them. */
  | { kind: 'created'; masterKey: string }
  /** The account's keys (from secret storage, or still in the store) signed this device now. */
  | { kind: 'signed-now'; masterKey: string; from: 'store' | 'secret storage' }
  | { kind: 'unsigned'; reason: string };

export interface CrossSigningInput {
  api: AccountApi;
  machine: CryptoMachine;
  deviceId: string;
  password: string | undefined;
  /** Opened with the recovery key; null without one. */
  storage: SecretStorage | null;
}

export async function ensureCrossSigned(input: CrossSigningInput): Promise<CrossSigningOutcome> {
  const { api, machine, deviceId } = input;
  const before = deviceTrust(await api.queryOwnKeys(), api.userId, deviceId);
  if (before.kind === 'signed') return before;
  if (before.kind === 'unknown-device')
    return { kind: 'unsigned', reason: `the homeserver does not list device ${deviceId} yet` };
  if (before.kind === 'no-cross-signing') {
    const boot = await machine.bootstrapCrossSigning(true);
    if (boot.uploadKeys) {
      const sent = await api.ok('POST', '/_matrix/client/v3/keys/upload', JSON.parse(boot.uploadKeys.body));
      await machine.markRequestAsSent(boot.uploadKeys.id, boot.uploadKeys.type, JSON.stringify(sent));
    }
    await api.uploadSigningKeys(JSON.parse(boot.uploadSigningKeys.body) as Json, input.password);
    const answer = await api.uploadSignatures(JSON.parse(boot.uploadSignatures.body) as Json);
    await machine.markSignaturesSent(boot.uploadSignatures.id, JSON.stringify(answer));
    return verified(input, 'created');
  }
  // The account has cross-signing keys: sign with them if this device holds them or can get them.
  let from: 'store' | 'secret storage' = 'store';
  if (!(await machine.crossSigningStatus()).hasSelfSigning) {
    if (!input.storage)
      return {
        kind: 'unsigned',
        reason: `the account's cross-signing keys are not on this device and there is no recovery key to read them from secret storage (${before.reason})`,
      };
    const [master, selfSigning, userSigning] = await Promise.all([
      input.storage.get(SECRET.master),
      input.storage.get(SECRET.selfSigning),
      input.storage.get(SECRET.userSigning),
    ]);
    if (!selfSigning) return { kind: 'unsigned', reason: 'secret storage holds no self-signing key' };
    const status = await machine.importCrossSigningKeys({
      ...(master ? { master } : {}),
      selfSigning,
      ...(userSigning ? { userSigning } : {}),
    });
    if (!status.hasSelfSigning)
      return {
        kind: 'unsigned',
        reason: "the self-signing key in secret storage is not the account's current one",
      };
    from = 'secret storage';
  }
  const request = await machine.signOwnDevice();
  const answer = await api.uploadSignatures(JSON.parse(request.body) as Json);
  await machine.markSignaturesSent(request.id, JSON.stringify(answer));
  return verified(input, 'signed-now', from);
}

/** Reads the keys again: the outcome is what other clients will see, not what was sent. */
async function verified(
  input: CrossSigningInput,
  kind: 'created' | 'signed-now',
  from: 'store' | 'secret storage' = 'store',
): Promise<CrossSigningOutcome> {
  const after: DeviceTrust = deviceTrust(await input.api.queryOwnKeys(), input.api.userId, input.deviceId);
  if (after.kind !== 'signed')
    return {
      kind: 'unsigned',
      reason: `the homeserver does not show the signature (${'reason' in after ? after.reason : after.kind})`,
    };
  return kind === 'created'
    ? { kind, masterKey: after.masterKey }
    : { kind, masterKey: after.masterKey, from };
}

/** Puts the private cross-signing keys this device holds into secret storage, where missing. */
export async function storeCrossSigningKeys(machine: CryptoMachine, storage: SecretStorage): Promise<number> {
  const keys = await machine.exportCrossSigningKeys();
  if (!keys) return 0;
  let stored = 0;
  for (const [name, value] of [
    [SECRET.master, keys.master],
    [SECRET.selfSigning, keys.selfSigning],
    [SECRET.userSigning, keys.userSigning],
  ] as const) {
    if (!value || (await storage.get(name).catch(() => null)) === value) continue;
    await storage.store(name, value);
    stored++;
  }
  return stored;
}
