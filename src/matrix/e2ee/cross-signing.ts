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
  | 'roomKeyCounts'
>;

export type CrossSigningOutcome =
  /** Already signed at start. */
  | { kind: 'signed'; masterKey: string }
  /** New cross-signing keys for the account, the device signed with them. */
  | { kind: 'created'; masterKey: string }
  /** The account's keys were nowhere to be had: new ones (a new identity others see change). */
  | { kind: 'reset'; masterKey: string }
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
  if (before.kind === 'no-cross-signing') return bootstrap(input, 'created');

  // The account has cross-signing keys: sign with them if this device holds them or can get them.
  if ((await machine.crossSigningStatus()).hasSelfSigning) {
    const signed = await signThisDevice(input, 'store');
    if (signed.kind !== 'unsigned') return signed;
  }
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
  if (!selfSigning) {
    // Nothing anywhere can sign for the account's current identity (e.g. the recovery key was lost too
    // and secret storage was started afresh): a new identity, which the account password authorises.
    if (!input.password)
      return {
        kind: 'unsigned',
        reason:
          'secret storage holds no cross-signing keys; with matrix.password the bot would make new ones',
      };
    return bootstrap(input, 'reset');
  }
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
  return signThisDevice(input, 'secret storage');
}

/** New cross-signing keys for the account, this device signed with them. */
async function bootstrap(input: CrossSigningInput, kind: 'created' | 'reset'): Promise<CrossSigningOutcome> {
  const { api, machine } = input;
  const boot = await machine.bootstrapCrossSigning(true);
  if (boot.uploadKeys) {
    const sent = await api.ok('POST', '/_matrix/client/v3/keys/upload', JSON.parse(boot.uploadKeys.body));
    await machine.markRequestAsSent(boot.uploadKeys.id, boot.uploadKeys.type, JSON.stringify(sent));
  }
  await api.uploadSigningKeys(JSON.parse(boot.uploadSigningKeys.body) as Json, input.password);
  const answer = await api.uploadSignatures(JSON.parse(boot.uploadSignatures.body) as Json);
  await machine.markSignaturesSent(boot.uploadSignatures.id, JSON.stringify(answer));
  return verified(input, kind);
}

async function signThisDevice(
  input: CrossSigningInput,
  from: 'store' | 'secret storage',
): Promise<CrossSigningOutcome> {
  const request = await input.machine.signOwnDevice();
  const answer = await input.api.uploadSignatures(JSON.parse(request.body) as Json);
  await input.machine.markSignaturesSent(request.id, JSON.stringify(answer));
  return verified(input, 'signed-now', from);
}

/** Reads the keys again: the outcome is what other clients will see, not what was sent. */
async function verified(
  input: CrossSigningInput,
  kind: 'created' | 'reset' | 'signed-now',
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
