// Types of the adapter: the part of @matrix-org/matrix-sdk-crypto-nodejs 0.4.0 that matrix-bot-sdk 0.8
// uses, plus the adapter's store contract (CryptoStoreError, flush/close, quarantineStore).
// Enums are plain (not `const`) enums backed by runtime objects, so code compiled with
// `isolatedModules` can read them.

export enum StoreType {
  Sqlite = 0,
}
export enum RequestType {
  KeysUpload = 0,
  KeysQuery = 1,
  KeysClaim = 2,
  ToDevice = 3,
  SignatureUpload = 4,
  RoomMessage = 5,
  KeysBackup = 6,
}
export enum EncryptionAlgorithm {
  OlmV1Curve25519AesSha2 = 0,
  MegolmV1AesSha2 = 1,
}
export enum HistoryVisibility {
  Invited = 0,
  Joined = 1,
  Shared = 2,
  WorldReadable = 3,
}
export enum ShieldColor {
  Red = 0,
  Grey = 1,
  None = 2,
}

export declare class UserId {
  constructor(id: string);
  get localpart(): string;
  get serverName(): { host: string; toString(): string };
  isHistorical(): boolean;
  toString(): string;
}
export declare class DeviceId {
  constructor(id: string);
  toString(): string;
}
export declare class RoomId {
  constructor(id: string);
  toString(): string;
}
export declare class DeviceLists {
  constructor(changed?: UserId[] | null, left?: UserId[] | null);
  isEmpty(): boolean;
  get changed(): UserId[];
  get left(): UserId[];
}

/**
 * Room-key settings. Unlike the native binding, `rotationPeriod` is in **milliseconds** (what
 * matrix-bot-sdk writes into it); the adapter converts to the engine's microseconds.
 * `algorithm` is always Megolm (an `undefined` from the SDK is not forwarded).
 */
export declare class EncryptionSettings {
  algorithm: EncryptionAlgorithm | undefined;
  rotationPeriod: bigint;
  rotationPeriodMessages: bigint;
  historyVisibility: HistoryVisibility;
  onlyAllowTrustedDevices: boolean;
  errorOnVerifiedUserProblem: boolean;
  constructor();
}

export interface KeysUploadRequest {
  readonly id: string;
  readonly type: RequestType.KeysUpload;
  readonly body: string;
}
export interface KeysQueryRequest {
  readonly id: string;
  readonly type: RequestType.KeysQuery;
  readonly body: string;
}
export interface KeysClaimRequest {
  readonly id: string;
  readonly type: RequestType.KeysClaim;
  readonly body: string;
}
/** `body` is `{"txn_id","event_type","messages"}` (upstream 0.8.0 reads the body, the fork the properties). */
export interface ToDeviceRequest {
  readonly id: string;
  readonly type: RequestType.ToDevice;
  readonly txnId: string;
  readonly eventType: string;
  readonly body: string;
}
export interface KeysBackupRequest {
  readonly id: string;
  readonly type: RequestType.KeysBackup;
  readonly body: string;
  readonly version?: string;
}
export type OutgoingRequest = KeysUploadRequest | KeysQueryRequest | KeysClaimRequest | ToDeviceRequest;

export interface PublicKey {
  toBase64(): string;
}
export interface IdentityKeys {
  readonly ed25519: PublicKey;
  readonly curve25519: PublicKey;
}
export interface MaybeSignature {
  readonly isValid: boolean;
  readonly isInvalid: boolean;
  readonly invalidSignatureSource: string | null;
  readonly signature: { toBase64(): string } | null;
}
export interface Signatures {
  get(signer: UserId | string): Record<string, MaybeSignature> | null;
  readonly count: bigint;
  readonly isEmpty: boolean;
  asJSON(): string;
}
export interface ShieldState {
  color: ShieldColor;
  code?: number;
  message?: string;
}
export interface DecryptedRoomEvent {
  /** The decrypted event as JSON (`type`, `content`, …). */
  readonly event: string;
  readonly sender: UserId | null;
  readonly senderDevice: DeviceId | null;
  readonly senderCurve25519Key: string | null;
  readonly senderClaimedEd25519Key: string | null;
  readonly forwardingCurve25519KeyChain: string[];
  shieldState(strict: boolean): ShieldState | null;
}

export interface StoreInfo {
  /** The store directory. */
  path: string;
  /** True when the machine was restored from a snapshot, false for a fresh store. */
  restored: boolean;
  /** Time `initialize` took, in ms. */
  initMs: number;
  /** Snapshot writes since the machine was opened, and the size and duration of the last one. */
  writes: number;
  lastWrite: { bytes: number; ms: number };
}

export interface SignatureUploadRequest {
  /** Absent for signatures made on request (signOwnDevice, bootstrap): nothing to mark as sent. */
  readonly id: string | undefined;
  readonly type: RequestType.SignatureUpload;
  readonly body: string;
}
export interface CrossSigningBootstrap {
  uploadKeys: { id: string; type: RequestType.KeysUpload; body: string } | null;
  uploadSigningKeys: { body: string };
  uploadSignatures: SignatureUploadRequest;
}
export interface CrossSigningStatus {
  hasMaster: boolean;
  hasSelfSigning: boolean;
  hasUserSigning: boolean;
}
/** Private cross-signing keys: unpadded base64 seeds. */
export interface CrossSigningKeys {
  master?: string;
  selfSigning?: string;
  userSigning?: string;
}
export declare function createBackupKey(): Promise<{ privateKeyBase64: string; publicKeyBase64: string }>;
export declare function backupPublicKey(privateKeyBase64: string): Promise<string>;

export declare class OlmMachine {
  private constructor();
  /**
   * Opens the store in the directory `storePath` (created if missing), or creates a new identity there.
   * `storePassphrase` is ignored (matrix-bot-sdk always passes ""); `storeType` is accepted and ignored.
   * @throws CryptoStoreError with code LOCKED, CORRUPT or LOST.
   */
  static initialize(
    userId: UserId,
    deviceId: DeviceId,
    storePath?: string | null,
    storePassphrase?: string | null,
    storeType?: StoreType | null,
  ): Promise<OlmMachine>;
  get userId(): UserId;
  get deviceId(): DeviceId;
  get identityKeys(): IdentityKeys;
  get storeInfo(): StoreInfo;
  /** Returns JSON `[toDeviceEvents, roomKeyInfos]`: decrypted and plain to-device events, `[]`. */
  receiveSyncChanges(
    toDeviceEvents: string,
    changedDevices: DeviceLists,
    oneTimeKeyCounts: Record<string, number>,
    unusedFallbackKeys: string[],
  ): Promise<string>;
  outgoingRequests(): Promise<OutgoingRequest[]>;
  markRequestAsSent(requestId: string, requestType: RequestType, response: string): Promise<boolean>;
  getMissingSessions(users?: UserId[] | null): Promise<KeysClaimRequest | null>;
  updateTrackedUsers(users: UserId[]): Promise<void>;
  shareRoomKey(
    roomId: RoomId,
    users: UserId[],
    encryptionSettings: EncryptionSettings,
  ): Promise<ToDeviceRequest[]>;
  encryptRoomEvent(roomId: RoomId, eventType: string, content: string): Promise<string>;
  /** @throws DecryptionError */
  decryptRoomEvent(event: string, roomId: RoomId): Promise<DecryptedRoomEvent>;
  sign(message: string): Promise<Signatures>;
  enableBackupV1(publicKeyBase64: string, version: string): Promise<void>;
  isBackupEnabled(): Promise<boolean>;
  disableBackup(): Promise<void>;
  backupRoomKeys(): Promise<KeysBackupRequest | null>;
  exportRoomKeysForSession(roomId: string, sessionId: string): Promise<string>;
  roomKeyCounts(): Promise<{ total: number; backedUp: number }>;
  /** The users whose devices the machine tracks (an addition to the native API). */
  trackedUsers(): Promise<UserId[]>;
  /** Posts queued `/keys/signatures/upload` bodies (P12): `(body) => response JSON`. */
  setSignatureUploadSender(send: ((body: string) => Promise<string>) | null): void;
  markSignaturesSent(id: string | undefined, response: string): Promise<void>;
  bootstrapCrossSigning(reset: boolean): Promise<CrossSigningBootstrap>;
  crossSigningStatus(): Promise<CrossSigningStatus>;
  exportCrossSigningKeys(): Promise<CrossSigningKeys | null>;
  importCrossSigningKeys(keys: CrossSigningKeys): Promise<CrossSigningStatus>;
  /** This device signed with the self-signing key: a request for the caller to send. */
  signOwnDevice(): Promise<SignatureUploadRequest>;
  ownTrust(): Promise<{ crossSigned: boolean; identityVerified: boolean; masterKey: unknown }>;
  saveBackupDecryptionKey(privateKeyBase64: string, version: string): Promise<void>;
  getBackupDecryptionKey(): Promise<{ privateKeyBase64: string; version: string } | null>;
  verifyBackup(info: unknown): Promise<{ trusted: boolean }>;
  importBackedUpRoomKeys(
    backup: unknown,
    version: string,
  ): Promise<{ imported: number; total: number; failures: number }>;
  /** Resolves once every change made so far is in the snapshot file. */
  flush(): Promise<void>;
  /** Flushes, closes the engine and releases the store's lock. */
  close(): Promise<void>;
}

export declare class EncryptedAttachment {
  constructor(encryptedData: Uint8Array, mediaEncryptionInfo: string);
  readonly encryptedData: Uint8Array;
  readonly mediaEncryptionInfo: string | undefined;
  readonly hasMediaEncryptionInfoBeenConsumed: boolean;
}
// biome-ignore lint/complexity/noStaticOnlyClass: the native binding's API shape
export declare class Attachment {
  static encrypt(array: Uint8Array): EncryptedAttachment;
  static decrypt(attachment: EncryptedAttachment): Uint8Array;
}

/**
 * Why a store cannot be opened.
 * - LOCKED: another live process on this host uses the store (or one on another host did). Do not
 *   start; do not retry in a loop.
 * - CORRUPT: the snapshot exists but cannot be read. The bot must not continue with a fresh store
 *   under the same device (a new identity for a known device is refused by other clients).
 * - LOST: there is no snapshot, but a store for this user and device was created before (recorded
 *   in `crypto-devices.json` next to the store directory).
 * For CORRUPT and LOST: log it, tell the admins once, `quarantineStore()` the directory and continue
 * with a new device (new access token / device ID), whose store starts empty.
 */
export declare class CryptoStoreError extends Error {
  readonly code: 'LOCKED' | 'CORRUPT' | 'LOST';
  readonly storagePath: string;
  readonly userId?: string;
  readonly deviceId?: string;
}
/** A room event that cannot be decrypted (the engine's MegolmDecryptionError, as an Error). */
export declare class DecryptionError extends Error {
  readonly code: string;
  readonly description: string;
  readonly maybeWithheld?: string;
}

export interface AdapterLogger {
  warn(message: string, extra?: unknown): void;
  debug?(message: string, extra?: unknown): void;
}
/** Routes the adapter's warnings (dropped requests, undecryptable to-device messages) into the bot's log. */
export declare function setLogger(logger: AdapterLogger): void;
/** Resolves once every open machine's changes are on disk. */
export declare function flushAll(): Promise<void>;
/** Flushes and closes every open machine and releases their locks (shutdown). */
export declare function closeAll(): Promise<void>;
/**
 * Moves a store directory aside (`<dir>.broken-<time>`, kept for inspection) and forgets its device
 * in `crypto-devices.json`. Returns the new path, or undefined if the directory did not exist.
 */
export declare function quarantineStore(
  storePath: string,
  userId?: string,
  deviceId?: string,
): string | undefined;
/**
 * True for the homeserver's answer to a key upload when it already holds other keys for this device
 * ("One time key … already exists"): the whole crypto directory was lost, so the adapter could not
 * tell. Treat like CryptoStoreError LOST.
 */
export declare function isKeysUploadConflict(err: unknown): boolean;
export declare function getVersions(): { vodozemac: string; matrixSdkCrypto: string; wasm: string };
export declare const SNAPSHOT_NAME: string;
export declare const REGISTRY_NAME: string;
