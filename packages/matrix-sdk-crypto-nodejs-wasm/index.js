// The part of @matrix-org/matrix-sdk-crypto-nodejs 0.4.0's API that matrix-bot-sdk 0.8 (and Element's
// fork @vector-im/matrix-bot-sdk 0.8.0-element.3) uses, implemented on @matrix-org/matrix-sdk-crypto-wasm,
// which ships its engine inside the npm package (the native package downloads a library from GitHub
// at install time). The engine's IndexedDB store lives in memory (fake-indexeddb) and is persisted to
// one snapshot file per store after every call that changed it. See README.md for the contract.
//
// Pitfalls handled (numbers from docs/e2ee-adapter.md): P1 the engine consumes (frees) arrays of ids,
// so every call gets fresh engine ids; P2 Map/Set instead of objects/arrays; P3 decryption settings;
// P4 non-Error throws wrapped; P5 to-device request shape; P6 no 5 s wait in getMissingSessions;
// P7 Megolm when the algorithm is undefined; P8 rotation period in ms; P9 persistence; P10 no
// passphrase; P11 [events, roomKeyInfos] tuple; P12 signature uploads go through the bot's sender, room-message requests are held back;
// P13 a new Megolm session per room and process, so that encrypting need not wait for the disk.
const fs = require('node:fs');
const path = require('node:path');
const { createHash } = require('node:crypto');
const wasm = require('@matrix-org/matrix-sdk-crypto-wasm');
const { CryptoStoreError, DecryptionError, toError, setDecryptionErrorNames } = require('./lib/errors');
const { acquireLock } = require('./lib/lock');
const snapshot = require('./lib/snapshot');

setDecryptionErrorNames(wasm.DecryptionErrorCode);

const SNAPSHOT_NAME = 'crypto-store.snapshot';
const REGISTRY_NAME = 'crypto-devices.json';
const WASM_VERSION = JSON.parse(
  fs.readFileSync(
    path.join(path.dirname(require.resolve('@matrix-org/matrix-sdk-crypto-wasm')), 'package.json'),
    'utf8',
  ),
).version;

// ---------------------------------------------------------------------------------------------
// Enums: runtime objects (the native package declares `const enum`s; matrix-bot-sdk inlines them,
// but code compiled with isolatedModules reads them at runtime). Same numbers as native 0.4.0.
function makeEnum(entries) {
  const e = {};
  for (const [k, v] of Object.entries(entries)) {
    e[k] = v;
    e[v] = k;
  }
  return Object.freeze(e);
}
const StoreType = makeEnum({ Sqlite: 0 });
const RequestType = makeEnum({
  KeysUpload: 0,
  KeysQuery: 1,
  KeysClaim: 2,
  ToDevice: 3,
  SignatureUpload: 4,
  RoomMessage: 5,
  KeysBackup: 6,
});
const EncryptionAlgorithm = makeEnum({ OlmV1Curve25519AesSha2: 0, MegolmV1AesSha2: 1 });
const HistoryVisibility = makeEnum({ Invited: 0, Joined: 1, Shared: 2, WorldReadable: 3 });
const ShieldColor = makeEnum({ Red: 0, Grey: 1, None: 2 });

// ---------------------------------------------------------------------------------------------
// Logging: console by default; the bot can route it into its own logger.
let logger = {
  warn: (msg, extra) =>
    process.stderr.write(
      `[matrix-sdk-crypto-wasm adapter] ${msg}${extra === undefined ? '' : ` ${JSON.stringify(extra)}`}\n`,
    ),
  debug: () => {},
};
/** @param {{ warn(msg: string, extra?: unknown): void, debug?(msg: string, extra?: unknown): void }} l */
function setLogger(l) {
  logger = { warn: l.warn.bind(l), debug: l.debug ? l.debug.bind(l) : () => {} };
}

// ---------------------------------------------------------------------------------------------
// Identifiers hold strings; a fresh engine object is built for every call (P1).
class UserId {
  constructor(id) {
    const s = String(id);
    new wasm.UserId(s).free(); // validates like the native constructor
    this._id = s;
  }
  get localpart() {
    return this._id.slice(1, this._id.indexOf(':'));
  }
  get serverName() {
    const server = this._id.slice(this._id.indexOf(':') + 1);
    return { host: server.replace(/:\d+$/, ''), toString: () => server };
  }
  isHistorical() {
    const w = new wasm.UserId(this._id);
    try {
      return w.isHistorical();
    } finally {
      w.free();
    }
  }
  toString() {
    return this._id;
  }
}
class DeviceId {
  constructor(id) {
    this._id = String(id);
  }
  toString() {
    return this._id;
  }
}
class RoomId {
  constructor(id) {
    const s = String(id);
    new wasm.RoomId(s).free();
    this._id = s;
  }
  toString() {
    return this._id;
  }
}
class DeviceLists {
  constructor(changed, left) {
    this._changed = (changed ?? []).map(String);
    this._left = (left ?? []).map(String);
  }
  isEmpty() {
    return this._changed.length === 0 && this._left.length === 0;
  }
  get changed() {
    return this._changed.map((u) => new UserId(u));
  }
  get left() {
    return this._left.map((u) => new UserId(u));
  }
}

/**
 * Room-key settings as matrix-bot-sdk fills them. Unlike the native binding, `rotationPeriod` is in
 * milliseconds: that is what the SDK writes (`rotation_period_ms`) into the native microsecond field,
 * which made the native engine rotate Megolm sessions after ~10 minutes instead of a week (P8).
 */
class EncryptionSettings {
  constructor() {
    this.algorithm = EncryptionAlgorithm.MegolmV1AesSha2;
    this.rotationPeriod = 604_800_000n; // one week, in ms
    this.rotationPeriodMessages = 100n;
    this.historyVisibility = HistoryVisibility.Shared;
    this.onlyAllowTrustedDevices = false;
    this.errorOnVerifiedUserProblem = false;
  }
}

const wUser = (u) => new wasm.UserId(String(u));
const wRoom = (r) => new wasm.RoomId(String(r));
const wUsers = (users) => Array.from(users ?? [], wUser);
const userStrings = (users) => Array.from(users ?? [], String);

// ---------------------------------------------------------------------------------------------
// IndexedDB: fake-indexeddb unless the process already has an indexedDB (then that one is used).
// Writes mark their object store dirty, so only calls that changed the store are persisted.
const shared = require('./lib/shared');
const dirtyDatabases = shared.dirty;
let engineReady;
// Mark an object store dirty when something is written to it (a read-write transaction alone is not
// enough: the engine opens one at every sync, mostly without changing anything).
function patchWrites() {
  const mark = (fn, storeOf) =>
    function patched(...args) {
      const os = storeOf(this);
      dirtyDatabases.add(`${os.transaction.db.name}\0${os.name}`);
      return fn.apply(this, args);
    };
  const cursorStore = (c) => c.source.objectStore ?? c.source;
  for (const [cls, methods, storeOf] of [
    [globalThis.IDBObjectStore, ['put', 'add', 'delete', 'clear'], (os) => os],
    [globalThis.IDBCursor, ['update', 'delete'], cursorStore],
  ]) {
    if (!cls || Object.hasOwn(cls.prototype, '__mxWasmPatched')) continue;
    for (const method of methods) cls.prototype[method] = mark(cls.prototype[method], storeOf);
    Object.defineProperty(cls.prototype, '__mxWasmPatched', { value: true });
  }
}
/**
 * The IndexedDB the engine will open its store in: fake-indexeddb unless the process already has one.
 * Looked up at every initialize: if other code replaces `globalThis.indexedDB` later (a test importing
 * `fake-indexeddb/auto`, say), machines opened afterwards follow the engine to the new one.
 */
async function indexedDbFactory() {
  // The engine checks `instanceof IDBFactory` etc., so the classes must be globals too.
  if (!globalThis.indexedDB) require('fake-indexeddb/auto');
  patchWrites();
  engineReady ??= wasm.initAsync();
  await engineReady;
  return globalThis.indexedDB;
}
const FULL = '\0*';
/** How long getMissingSessions waits for a /keys/query that is already on its way (P6). */
const IN_FLIGHT_QUERY_WAIT_MS = 3000;
/** Takes the dirty marks of one store: database name -> object stores, or null when all must be read. */
function takeDirty(prefix) {
  const byDb = new Map();
  let full = false;
  for (const mark of dirtyDatabases) {
    if (!mark.startsWith(prefix)) continue;
    dirtyDatabases.delete(mark);
    const [db, store] = mark.split('\0');
    if (store === '*') full = true;
    else {
      if (!byDb.has(db)) byDb.set(db, new Set());
      byDb.get(db).add(store);
    }
  }
  return full ? null : byDb;
}
function isDirty(prefix) {
  for (const name of dirtyDatabases) if (name.startsWith(prefix)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Persistence: a call resolves only after a snapshot containing its changes is on disk. Concurrent
// calls share writes: while one write runs, later changes wait for (at most) one following write.
class Persister {
  constructor(idb, prefix, file, header) {
    this.idb = idb;
    this.prefix = prefix;
    this.file = file;
    this.header = header;
    this.running = null;
    this.queued = null;
    this.writes = 0;
    this.lastWrite = { bytes: 0, ms: 0 };
  }
  persist() {
    if (isDirty(this.prefix)) {
      if (!this.queued) {
        const previous = this.running ?? Promise.resolve();
        this.queued = previous
          .catch(() => {})
          .then(() => {
            this.queued = null;
            const p = this.writeNow();
            this.running = p;
            p.then(
              () => {
                if (this.running === p) this.running = null;
              },
              () => {
                if (this.running === p) this.running = null;
              },
            );
            return p;
          });
      }
      return this.queued;
    }
    return this.running ?? Promise.resolve();
  }
  async writeNow() {
    const started = performance.now();
    const dirty = takeDirty(this.prefix);
    try {
      const databases = await snapshot.dump(this.idb, this.prefix, this.databases, dirty);
      if (databases.length === 0) {
        // Never replace a store with an empty snapshot: the engine's databases must be somewhere else.
        throw new Error(
          `the engine's databases (${this.prefix}*) are not in the IndexedDB the adapter reads`,
        );
      }
      if (
        this.databases &&
        databases.length === this.databases.length &&
        databases.every((d, i) => d === this.databases?.[i])
      ) {
        return; // nothing changed: dump() returned the very same objects
      }
      const payload = snapshot.encode({ ...this.header, databases });
      // The engine re-saves unchanged records (its account at every sync): skip identical snapshots.
      const hash = payload.subarray(8, 40); // magic, then the payload's SHA-256
      if (this.lastHash?.equals(hash)) {
        this.databases = databases;
        return;
      }
      await snapshot.writeAtomic(this.file, payload);
      this.databases = databases;
      this.lastHash = Buffer.from(hash);
      this.writes++;
      this.lastWrite = { bytes: payload.length, ms: performance.now() - started };
    } catch (err) {
      dirtyDatabases.add(`${this.prefix}${FULL}`); // read everything again at the next call
      throw new Error(
        `Could not write the crypto store snapshot ${this.file}: ${toError(err, 'write').message}`,
        {
          cause: err,
        },
      );
    }
  }
}

function readRegistry(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT') return { devices: {} };
    throw new Error(`Unreadable ${file}: ${err.message}`);
  }
}
const registryKey = (userId, deviceId) => `${userId}|${deviceId}`;

const openMachines = shared.machines;

// ---------------------------------------------------------------------------------------------
class OlmMachine {
  constructor() {
    throw new Error('Use OlmMachine.initialize() to create an OlmMachine');
  }

  /**
   * Opens (or creates) the store in the directory `storePath` and returns a machine for the device.
   * The passphrase is ignored (P10: matrix-bot-sdk always passes "", which protects nothing; the
   * snapshot file is created with mode 0600). `storeType` is accepted for API compatibility.
   * Throws CryptoStoreError LOCKED / CORRUPT / LOST (see README.md).
   */
  static async initialize(userId, deviceId, storePath, storePassphrase, _storeType) {
    if (!storePath) throw new Error('OlmMachine.initialize needs a store directory (storePath)');
    if (storePassphrase)
      logger.warn('The crypto store passphrase is ignored: this store is not encrypted at rest');
    const user = String(userId);
    const device = String(deviceId);
    const dir = path.resolve(storePath);
    const ids = { userId: user, deviceId: device };
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const idb = await indexedDbFactory();
    const release = acquireLock(dir, ids, (owner) =>
      logger.warn(
        `Took over the lock of the crypto store ${dir}: process ${owner.pid} on this host (started ${owner.startedAt ?? '?'}) is gone without releasing it`,
        { pid: owner.pid },
      ),
    );
    try {
      const file = path.join(dir, SNAPSHOT_NAME);
      for (const name of fs.readdirSync(dir)) {
        // temporary files of a write interrupted by a crash (the snapshot itself is intact)
        if (name.startsWith(`${SNAPSHOT_NAME}.`) && name.endsWith('.tmp'))
          fs.rmSync(path.join(dir, name), { force: true });
      }
      const registryFile = path.join(path.dirname(dir), REGISTRY_NAME);
      const prefix = `mxwasm-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}::`;
      const started = performance.now();

      let restored;
      let raw;
      try {
        raw = fs.readFileSync(file);
      } catch (err) {
        if (err.code !== 'ENOENT') {
          throw new CryptoStoreError(
            'CORRUPT',
            `Cannot read the crypto store snapshot ${file}: ${err.message}`,
            {
              storagePath: dir,
              ...ids,
              cause: err,
            },
          );
        }
      }
      if (raw) {
        try {
          restored = snapshot.decode(raw);
        } catch (err) {
          throw new CryptoStoreError(
            'CORRUPT',
            `The crypto store snapshot ${file} is unreadable (${err.message}). The bot does not start with a fresh ` +
              'store silently: that would be a new identity for the same device. Move the store directory aside and log in a new device.',
            { storagePath: dir, ...ids, cause: err },
          );
        }
        if (restored.userId !== user || restored.deviceId !== device) {
          throw new CryptoStoreError(
            'CORRUPT',
            `The crypto store ${dir} belongs to ${restored.userId} / ${restored.deviceId}, not ${user} / ${device}.`,
            { storagePath: dir, ...ids },
          );
        }
      } else {
        const known = readRegistry(registryFile).devices[registryKey(user, device)];
        if (known) {
          throw new CryptoStoreError(
            'LOST',
            `The crypto store of ${user} device ${device} (created ${known.createdAt} in ${dir}) is gone. Its keys ` +
              'cannot be recovered and the homeserver still holds the old identity for this device: log in a new device ' +
              '(new access token) and start with an empty store for it.',
            { storagePath: dir, ...ids },
          );
        }
      }

      await snapshot.deleteAll(idb, prefix);
      if (restored) {
        await snapshot.restore(idb, prefix, restored.databases);
        takeDirty(prefix); // the file already holds what restore() wrote
      } else {
        dirtyDatabases.add(`${prefix}${FULL}`); // a new store is written once even if empty
      }
      let inner;
      try {
        inner = await wasm.OlmMachine.initialize(wUser(user), new wasm.DeviceId(device), prefix.slice(0, -2));
      } catch (err) {
        const e = toError(err, 'OlmMachine.initialize');
        if (restored) {
          throw new CryptoStoreError(
            'CORRUPT',
            `The crypto engine could not open the store ${dir}: ${e.message}`,
            { storagePath: dir, ...ids, cause: e },
          );
        }
        throw e;
      }
      const machine = Object.create(OlmMachine.prototype);
      // What the engine changes while opening (a schema migration included) is written incrementally,
      // on top of the restored snapshot.
      machine._init(inner, {
        databases: restored?.databases,
        idb,
        prefix,
        dir,
        file,
        release,
        header: {
          userId: user,
          deviceId: device,
          wasmVersion: WASM_VERSION,
          createdAt: restored?.createdAt ?? new Date().toISOString(),
        },
      });
      await machine._persist();
      // Recorded after the first snapshot is on disk (a crash in between leaves a store without a
      // record, completed at the next start), so a missing snapshot of a recorded device means LOST.
      const registry = readRegistry(registryFile);
      if (!registry.devices[registryKey(user, device)]) {
        registry.devices[registryKey(user, device)] = {
          createdAt: machine._header.createdAt,
          storagePath: dir,
        };
        snapshot.writeAtomicSync(registryFile, `${JSON.stringify(registry, null, 2)}\n`);
      }
      machine._tracked = new Set(Array.from(await inner.trackedUsers(), (u) => u.toString()));
      machine.initMs = performance.now() - started;
      machine.restored = Boolean(restored);
      openMachines.add(machine);
      return machine;
    } catch (err) {
      release();
      throw toError(err, 'OlmMachine.initialize');
    }
  }

  _init(inner, { databases, idb, prefix, dir, file, release, header }) {
    this._inner = inner;
    this._dir = dir;
    this._release = release;
    this._header = header;
    this._persister = new Persister(idb, prefix, file, header);
    this._persister.databases = databases;
    this._closed = false;
    this._pendingQuery = new Set(); // users whose /keys/query the engine has yet to plan (P6)
    this._inFlightQueries = new Map(); // request id -> users of a /keys/query not yet marked sent (P6)
    this._dropped = new Set();
    this._signatureSender = null;
    this._signaturesInFlight = new Set();
    this._roomsKeyedHere = new Set(); // rooms whose outbound Megolm session this process made (P13)
    const keys = inner.identityKeys;
    const ed = keys.ed25519.toBase64();
    const curve = keys.curve25519.toBase64();
    this._identityKeys = { ed25519: { toBase64: () => ed }, curve25519: { toBase64: () => curve } };
    this._user = new UserId(header.userId);
    this._device = new DeviceId(header.deviceId);
  }

  async _call(name, fn, persist = true) {
    if (this._closed) throw new Error(`OlmMachine.${name}: the machine was closed`);
    let result;
    try {
      result = await fn(this._inner);
    } catch (err) {
      throw toError(err, `OlmMachine.${name}`);
    }
    if (persist) await this._persist();
    return result;
  }

  _persist() {
    return this._persister.persist();
  }

  get userId() {
    return this._user;
  }
  get deviceId() {
    return this._device;
  }
  get identityKeys() {
    return this._identityKeys;
  }
  /** Where the store lives and how it was opened (for logs and benchmarks). */
  get storeInfo() {
    return {
      path: this._dir,
      restored: this.restored,
      initMs: this.initMs,
      writes: this._persister.writes,
      lastWrite: this._persister.lastWrite,
    };
  }

  /** @returns JSON `[events, roomKeyInfos]` (P11): decrypted and plain to-device events as raw JSON objects. */
  async receiveSyncChanges(toDeviceEvents, changedDevices, oneTimeKeyCounts, unusedFallbackKeys) {
    const changed = changedDevices?._changed ?? userStrings(changedDevices?.changed);
    const left = changedDevices?._left ?? userStrings(changedDevices?.left);
    for (const u of changed) this._pendingQuery.add(u);
    const counts = new Map();
    for (const [k, v] of Object.entries(oneTimeKeyCounts ?? {})) counts.set(k, Number(v));
    const fallbacks =
      unusedFallbackKeys == null ? undefined : new Set(Array.from(unusedFallbackKeys, String));
    // Most syncs bring room events only: no to-device messages, no device-list changes and the key
    // counts of the sync before. The engine would change nothing for them; skipping it saves ~6 ms
    // before the bot sees the room events.
    const keyState = JSON.stringify([[...counts].sort(), fallbacks ? [...fallbacks].sort() : null]);
    const toDevice = String(toDeviceEvents);
    if (toDevice === '[]' && changed.length === 0 && left.length === 0 && keyState === this._keyState) {
      return JSON.stringify([[], []]);
    }
    const processed = await this._call('receiveSyncChanges', (m) =>
      m.receiveSyncChanges(
        toDevice,
        new wasm.DeviceLists(wUsers(changed), wUsers(left)),
        counts,
        fallbacks,
        new wasm.DecryptionSettings(wasm.TrustRequirement.Untrusted),
      ),
    );
    this._keyState = keyState;
    const events = [];
    for (const p of processed) {
      if (
        p.type === wasm.ProcessedToDeviceEventType.Decrypted ||
        p.type === wasm.ProcessedToDeviceEventType.PlainText
      ) {
        events.push(JSON.parse(p.rawEvent));
      } else if (p.type === wasm.ProcessedToDeviceEventType.UnableToDecrypt) {
        logger.warn('A to-device message could not be decrypted', safeSummary(p.rawEvent));
      }
    }
    return JSON.stringify([events, []]);
  }

  /** Requests to send; signature uploads go to the sender set by the bot, room messages are held back (P12). */
  async outgoingRequests() {
    const requests = await this._call('outgoingRequests', (m) => m.outgoingRequests());
    this._pendingQuery.clear();
    const queries = new Map();
    const out = [];
    for (const r of requests) {
      const type = r.type;
      if (type === RequestType.ToDevice) {
        out.push(toDeviceRequest(r));
      } else if (
        type === RequestType.KeysUpload ||
        type === RequestType.KeysQuery ||
        type === RequestType.KeysClaim
      ) {
        if (type === RequestType.KeysQuery)
          queries.set(r.id, Object.keys(JSON.parse(r.body).device_keys ?? {}));
        out.push({ id: r.id, type, body: r.body });
      } else if (type === RequestType.SignatureUpload && this._signatureSender) {
        // P12: the SDK throws on these inside its sync lock; the bot's sender posts them outside it.
        this._sendSignaturesOnce(r.id, r.body);
      } else {
        if (!this._dropped.has(r.id)) {
          this._dropped.add(r.id);
          logger.warn(
            `Held back an outgoing ${RequestType[type] ?? type} request: matrix-bot-sdk cannot send it (a SignatureUpload goes out once setSignatureUploadSender() is called)`,
          );
        }
      }
    }
    this._inFlightQueries = queries;
    return out;
  }

  async markRequestAsSent(requestId, requestType, response) {
    const type = Number(requestType);
    await this._call('markRequestAsSent', (m) =>
      m.markRequestAsSent(String(requestId), type, String(response)),
    );
    if (type === RequestType.KeysQuery) this._inFlightQueries.delete(String(requestId));
    return true;
  }

  async updateTrackedUsers(users) {
    const list = userStrings(users);
    for (const u of list) {
      if (!this._tracked.has(u)) {
        this._tracked.add(u);
        this._pendingQuery.add(u);
      }
    }
    await this._call('updateTrackedUsers', (m) => m.updateTrackedUsers(wUsers(list)));
  }

  /**
   * Claims one-time keys for devices without an Olm session. Users whose device list is still to be
   * queried are skipped: the engine would wait 5 s for them, while the SDK holds its sync lock (P6).
   * They get their sessions on the next call after their /keys/query was marked sent. A /keys/query
   * already sent for them is waited for (briefly): the SDK answers its own queries under the lock
   * before it calls this, so such a query is a copy sent by a call outside the lock (the engine
   * re-issues a query until it is marked sent), and its answer comes without us. Its users are never
   * skipped: that would encrypt the first message to a new contact for none of their devices (seen
   * when such a copy took longer than the wait on a loaded machine).
   */
  async getMissingSessions(users) {
    const wanted = userStrings(users);
    const inFlight = () => {
      const out = new Set();
      for (const list of this._inFlightQueries.values()) for (const u of list) out.add(u);
      return out;
    };
    const started = Date.now();
    let waited = false;
    while (Date.now() - started < IN_FLIGHT_QUERY_WAIT_MS && wanted.some((u) => inFlight().has(u))) {
      waited = true;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    if (waited) logger.debug(`waited ${Date.now() - started} ms for a /keys/query in flight`);
    // A query still out after the wait is the engine's to wait for (it then uses the devices it knows):
    // skipping its users would encrypt the message for none of their devices, for good.
    const late = wanted.filter((u) => inFlight().has(u));
    if (late.length)
      logger.warn(`a /keys/query for ${late.length} user(s) still out after ${IN_FLIGHT_QUERY_WAIT_MS} ms`);
    const list = wanted.filter((u) => !this._pendingQuery.has(u));
    if (list.length === 0) return null;
    const r = await this._call('getMissingSessions', (m) => m.getMissingSessions(wUsers(list)));
    return r ? { id: r.id, type: RequestType.KeysClaim, body: r.body } : null;
  }

  async shareRoomKey(roomId, users, encryptionSettings) {
    const s = encryptionSettings ?? new EncryptionSettings();
    const settings = new wasm.EncryptionSettings();
    // P7: the SDK sets `undefined` for a non-Megolm room; the engine would store 0 (Olm).
    settings.algorithm = wasm.EncryptionAlgorithm.MegolmV1AesSha2;
    settings.historyVisibility = s.historyVisibility ?? HistoryVisibility.Shared;
    settings.rotationPeriod = BigInt(s.rotationPeriod ?? 604_800_000n) * 1000n; // P8: ms -> µs
    settings.rotationPeriodMessages = BigInt(s.rotationPeriodMessages ?? 100n);
    settings.sharingStrategy = s.onlyAllowTrustedDevices
      ? wasm.CollectStrategy.onlyTrustedDevices()
      : wasm.CollectStrategy.allDevices();
    const room = String(roomId);
    const requests = await this._call('shareRoomKey', async (m) => {
      // P13: a session restored from disk may be behind what was sent; this process starts its own.
      if (!this._roomsKeyedHere.has(room)) await m.invalidateGroupSession(wRoom(room));
      const r = await m.shareRoomKey(wRoom(room), wUsers(userStrings(users)), settings);
      this._roomsKeyedHere.add(room);
      return r;
    });
    logger.debug(
      `shareRoomKey ${roomId}: ${userStrings(users).length} users, ${requests.length} to-device requests`,
    );
    return requests.map(toDeviceRequest);
  }

  /**
   * P13: resolves before the session's new position is on disk (the write follows at once), unless the
   * session was restored from disk: after a crash a new session is made, so no position is used twice.
   */
  async encryptRoomEvent(roomId, eventType, content) {
    const keyedHere = this._roomsKeyedHere.has(String(roomId));
    const encrypted = await this._call(
      'encryptRoomEvent',
      (m) => m.encryptRoomEvent(wRoom(roomId), String(eventType), String(content)),
      !keyedHere,
    );
    if (keyedHere) {
      this._persist().catch((err) =>
        logger.warn(`writing the store after encrypting failed: ${err.message}`),
      );
    }
    return encrypted;
  }

  /** Throws DecryptionError (code, description) when the event cannot be decrypted (P3, P4). */
  async decryptRoomEvent(event, roomId) {
    const d = await this._call('decryptRoomEvent', (m) =>
      m.decryptRoomEvent(
        String(event),
        wRoom(roomId),
        new wasm.DecryptionSettings(wasm.TrustRequirement.Untrusted),
      ),
    );
    const sender = d.sender?.toString();
    const senderDevice = d.senderDevice?.toString();
    const shield = (strict) => {
      const st = d.shieldState(strict);
      return st ? { color: st.color, code: st.code, message: st.message } : null;
    };
    return {
      event: d.event,
      sender: sender ? new UserId(sender) : null,
      senderDevice: senderDevice ? new DeviceId(senderDevice) : null,
      senderCurve25519Key: d.senderCurve25519Key ?? null,
      senderClaimedEd25519Key: d.senderClaimedEd25519Key ?? null,
      forwardingCurve25519KeyChain: Array.from(d.forwardingCurve25519KeyChain ?? []),
      shieldState: shield,
    };
  }

  /** Signs a JSON string with the device key; `get(userId)` returns a plain record (not a Map). */
  async sign(message) {
    const sigs = await this._call('sign', (m) => m.sign(String(message)), false);
    const byUser = new Map();
    const json = sigs.asJSON();
    for (const [signer, keys] of Object.entries(JSON.parse(json))) {
      const map = sigs.get(wUser(signer));
      const record = {};
      for (const keyId of Object.keys(keys)) {
        const ms = map?.get(keyId);
        if (!ms) continue;
        const valid = ms.isValid();
        const base64 = valid ? ms.signature?.toBase64() : undefined;
        record[keyId] = {
          isValid: valid,
          isInvalid: ms.isInvalid(),
          invalidSignatureSource: ms.invalidSignatureSource ?? null,
          signature: base64 === undefined ? null : { toBase64: () => base64 },
        };
      }
      byUser.set(signer, record);
    }
    return {
      get: (signer) => byUser.get(String(signer)) ?? null,
      get count() {
        return BigInt(sigs.count);
      },
      get isEmpty() {
        return byUser.size === 0;
      },
      asJSON: () => json,
    };
  }

  enableBackupV1(publicKeyBase64, version) {
    return this._call('enableBackupV1', (m) => m.enableBackupV1(String(publicKeyBase64), String(version)));
  }
  isBackupEnabled() {
    return this._call('isBackupEnabled', (m) => m.isBackupEnabled(), false);
  }
  disableBackup() {
    return this._call('disableBackup', (m) => m.disableBackup());
  }
  async backupRoomKeys() {
    const r = await this._call('backupRoomKeys', (m) => m.backupRoomKeys());
    return r ? { id: r.id, type: RequestType.KeysBackup, body: r.body, version: r.version } : null;
  }
  /** JSON array of the exported keys of one Megolm session (fork only). */
  exportRoomKeysForSession(roomId, sessionId) {
    const room = String(roomId);
    const session = String(sessionId);
    return this._call(
      'exportRoomKeysForSession',
      (m) => m.exportRoomKeys((s) => s.roomId.toString() === room && s.sessionId === session),
      false,
    );
  }
  /** The users whose devices the machine tracks (not in the native 0.4.0 API). */
  async trackedUsers() {
    const set = await this._call('trackedUsers', (m) => m.trackedUsers(), false);
    return Array.from(set, (u) => new UserId(u.toString()));
  }
  async roomKeyCounts() {
    const c = await this._call('roomKeyCounts', (m) => m.roomKeyCounts(), false);
    return { total: Number(c.total), backedUp: Number(c.backedUp) };
  }

  // -------------------------------------------------------------------------------------------
  // Cross-signing and key backup (not in the native 0.4.0 API; the bot drives them, see README.md).
  // Requests come back as plain `{ id, type, body }` objects; the caller sends them and reports the
  // answer with markRequestAsSent (signature uploads: markSignaturesSent).

  /**
   * Who posts `/keys/signatures/upload` bodies the engine queues (P12): `(body) => Promise<responseJson>`.
   * Such requests are kept from the SDK (it throws on them) and sent through this function, outside
   * the SDK's sync lock; until it is set they are held back (the engine offers them again).
   */
  setSignatureUploadSender(send) {
    this._signatureSender = send;
  }
  _sendSignaturesOnce(id, body) {
    if (this._signaturesInFlight.has(id)) return;
    this._signaturesInFlight.add(id);
    Promise.resolve()
      .then(() => this._signatureSender(body))
      .then((response) => this.markSignaturesSent(id, response))
      .catch((err) =>
        logger.warn(`A signature upload failed (offered again later): ${toError(err, 'signatures').message}`),
      )
      .finally(() => this._signaturesInFlight.delete(id));
  }
  async markSignaturesSent(id, response) {
    if (id === undefined || id === null) return;
    await this._call('markRequestAsSent', (m) =>
      m.markRequestAsSent(String(id), RequestType.SignatureUpload, String(response)),
    );
  }

  /**
   * New (reset: true) or existing cross-signing keys, ready to upload: `uploadKeys` (a device-key
   * upload, when one is due; send first), `uploadSigningKeys` (to /keys/device_signing/upload) and
   * `uploadSignatures` (to /keys/signatures/upload; send last).
   */
  async bootstrapCrossSigning(reset) {
    const r = await this._call('bootstrapCrossSigning', (m) => m.bootstrapCrossSigning(Boolean(reset)));
    const keys = r.uploadKeysRequest;
    return {
      uploadKeys: keys ? { id: keys.id, type: RequestType.KeysUpload, body: keys.body } : null,
      uploadSigningKeys: { body: r.uploadSigningKeysRequest.body },
      uploadSignatures: {
        id: r.uploadSignaturesRequest.id,
        type: RequestType.SignatureUpload,
        body: r.uploadSignaturesRequest.body,
      },
    };
  }
  /** Which private cross-signing keys this device's store holds. */
  async crossSigningStatus() {
    const s = await this._call('crossSigningStatus', (m) => m.crossSigningStatus(), false);
    return { hasMaster: s.hasMaster, hasSelfSigning: s.hasSelfSigning, hasUserSigning: s.hasUserSigning };
  }
  /** The private cross-signing keys (unpadded base64 seeds), or null when the store holds none. */
  async exportCrossSigningKeys() {
    const e = await this._call('exportCrossSigningKeys', (m) => m.exportCrossSigningKeys(), false);
    if (!e) return null;
    return { master: e.masterKey, selfSigning: e.self_signing_key, userSigning: e.userSigningKey };
  }
  /**
   * Imports private cross-signing keys (e.g. from secret storage). The engine keeps only keys that
   * match the public ones it knows for its user (query the user's keys first).
   */
  async importCrossSigningKeys({ master, selfSigning, userSigning }) {
    const s = await this._call('importCrossSigningKeys', (m) =>
      m.importCrossSigningKeys(master ?? null, selfSigning ?? null, userSigning ?? null),
    );
    return { hasMaster: s.hasMaster, hasSelfSigning: s.hasSelfSigning, hasUserSigning: s.hasUserSigning };
  }
  /** Signs this device with the self-signing key: a signature upload for the caller to send. */
  async signOwnDevice() {
    const request = await this._call('signOwnDevice', async (m) => {
      const device = await m.getDevice(wUser(this._user), new wasm.DeviceId(String(this._device)));
      if (!device) throw new Error('the engine does not know its own device yet');
      return device.verify();
    });
    return { id: request.id, type: RequestType.SignatureUpload, body: request.body };
  }
  /**
   * How the engine sees this device and its user: `crossSigned` (the device is signed by its
   * owner's self-signing key) and `identityVerified` (the user's master key is the one this store
   * holds privately, or was verified). Both false before the user's keys were queried.
   */
  async ownTrust() {
    return this._call(
      'ownTrust',
      async (m) => {
        const device = await m.getDevice(wUser(this._user), new wasm.DeviceId(String(this._device)));
        const identity = await m.getIdentity(wUser(this._user));
        return {
          crossSigned: device ? device.isCrossSignedByOwner() : false,
          identityVerified: identity ? identity.isVerified() : false,
          masterKey: identity ? JSON.parse(identity.masterKey) : null,
        };
      },
      false,
    );
  }
  /** Stores the backup decryption key (unpadded base64) for a backup version. */
  async saveBackupDecryptionKey(privateKeyBase64, version) {
    await this._call('saveBackupDecryptionKey', (m) =>
      m.saveBackupDecryptionKey(
        wasm.BackupDecryptionKey.fromBase64(String(privateKeyBase64)),
        String(version),
      ),
    );
  }
  /** The stored backup decryption key and its version, or null. */
  async getBackupDecryptionKey() {
    const k = await this._call('getBackupKeys', (m) => m.getBackupKeys(), false);
    const key = k.decryptionKey;
    if (!key || !k.backupVersion) return null;
    return { privateKeyBase64: key.toBase64(), version: k.backupVersion };
  }
  /** Whether the engine trusts a backup's `auth_data` (signed by this device or the user's master key). */
  async verifyBackup(info) {
    const v = await this._call('verifyBackup', (m) => m.verifyBackup(info), false);
    return { trusted: v.trusted() };
  }
  /**
   * Imports room keys downloaded from a backup (`GET /room_keys/keys`: `{ rooms: { roomId: { sessions:
   * { sessionId: keyBackupData } } } }`), decrypting them with the stored backup key.
   */
  async importBackedUpRoomKeys(backup, version) {
    const stored = await this.getBackupDecryptionKey();
    if (!stored) throw new Error('no backup decryption key is stored');
    const key = wasm.BackupDecryptionKey.fromBase64(stored.privateKeyBase64);
    const rooms = new Map();
    let failures = 0;
    for (const [roomId, room] of Object.entries(backup?.rooms ?? {})) {
      const sessions = new Map();
      for (const [sessionId, data] of Object.entries(room?.sessions ?? {})) {
        try {
          const d = data.session_data;
          sessions.set(sessionId, JSON.parse(key.decryptV1(d.ephemeral, d.mac, d.ciphertext)));
        } catch {
          failures++;
        }
      }
      if (sessions.size > 0) rooms.set(wRoom(roomId), sessions);
    }
    key.free();
    const result = await this._call('importBackedUpRoomKeys', (m) =>
      m.importBackedUpRoomKeys(rooms, undefined, String(version)),
    );
    return { imported: Number(result.importedCount), total: Number(result.totalCount), failures };
  }

  /** Resolves when every change made so far is in the snapshot file. */
  flush() {
    if (this._closed) return Promise.resolve();
    return this._persist();
  }

  /**
   * Flushes, closes the engine and releases the store's lock. Returns a promise (the native close()
   * is synchronous and returns nothing; awaiting it is harmless).
   */
  async close() {
    if (this._closed) return;
    try {
      await this._persist();
    } finally {
      this._closed = true;
      openMachines.delete(this);
      try {
        this._inner.close();
        this._inner.free();
      } catch {
        // already closed
      }
      this._release();
    }
  }
}

function toDeviceRequest(r) {
  // P5: the fork reads txnId/eventType from the object, upstream 0.8.0 from the body.
  const body = JSON.parse(r.body);
  return {
    id: r.id,
    type: RequestType.ToDevice,
    txnId: r.txn_id,
    eventType: r.event_type,
    body: JSON.stringify({ txn_id: r.txn_id, event_type: r.event_type, messages: body.messages ?? body }),
  };
}

function safeSummary(rawEvent) {
  try {
    const e = JSON.parse(rawEvent);
    return { type: e.type, sender: e.sender };
  } catch {
    return undefined;
  }
}

/** Flushes every open machine (for a shutdown hook). */
async function flushAll() {
  await Promise.all(Array.from(openMachines, (m) => m.flush()));
}
/** Flushes and closes every open machine and releases their locks (call on shutdown). */
async function closeAll() {
  await Promise.all(Array.from(openMachines, (m) => m.close()));
}

/** Moves a LOST/CORRUPT store directory aside (`<dir>.broken-<time>`) and forgets its device. */
function quarantineStore(storePath, userId, deviceId) {
  const dir = path.resolve(storePath);
  const target = `${dir}.broken-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  if (fs.existsSync(dir)) fs.renameSync(dir, target);
  const registryFile = path.join(path.dirname(dir), REGISTRY_NAME);
  if (userId && deviceId && fs.existsSync(registryFile)) {
    const registry = readRegistry(registryFile);
    delete registry.devices[registryKey(String(userId), String(deviceId))];
    snapshot.writeAtomicSync(registryFile, `${JSON.stringify(registry, null, 2)}\n`);
  }
  return fs.existsSync(target) ? target : undefined;
}

/**
 * True when `prepare()` failed because the homeserver already holds other keys for this device
 * ("One time key … already exists"): the store was lost together with its directory (so the
 * adapter could not tell), and the device must be replaced like for a LOST store.
 */
function isKeysUploadConflict(err) {
  const text = [
    err?.message,
    err?.body?.error,
    err?.error,
    typeof err?.body === 'string' ? err.body : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  return /one.?time key .* already exists/i.test(text);
}

process.once('exit', () => {
  for (const m of openMachines) m._release();
});

/** A new random backup key pair (m.megolm_backup.v1.curve25519-aes-sha2), unpadded base64. */
async function createBackupKey() {
  engineReady ??= wasm.initAsync();
  await engineReady;
  const key = wasm.BackupDecryptionKey.createRandomKey();
  try {
    return { privateKeyBase64: key.toBase64(), publicKeyBase64: key.megolmV1PublicKey.publicKeyBase64 };
  } finally {
    key.free();
  }
}
/** The public backup key of a private one (to compare with a backup's `auth_data.public_key`). */
async function backupPublicKey(privateKeyBase64) {
  engineReady ??= wasm.initAsync();
  await engineReady;
  const key = wasm.BackupDecryptionKey.fromBase64(String(privateKeyBase64));
  try {
    return key.megolmV1PublicKey.publicKeyBase64;
  } finally {
    key.free();
  }
}

function getVersions() {
  const v = wasm.getVersions();
  return { vodozemac: v.vodozemac, matrixSdkCrypto: v.matrix_sdk_crypto, wasm: WASM_VERSION };
}

// Plain `exports.name =` assignments, so Node's ESM loader sees every named export.
exports.OlmMachine = OlmMachine;
exports.UserId = UserId;
exports.DeviceId = DeviceId;
exports.RoomId = RoomId;
exports.DeviceLists = DeviceLists;
exports.EncryptionSettings = EncryptionSettings;
exports.Attachment = wasm.Attachment;
exports.EncryptedAttachment = wasm.EncryptedAttachment;
exports.StoreType = StoreType;
exports.RequestType = RequestType;
exports.EncryptionAlgorithm = EncryptionAlgorithm;
exports.HistoryVisibility = HistoryVisibility;
exports.ShieldColor = ShieldColor;
exports.CryptoStoreError = CryptoStoreError;
exports.DecryptionError = DecryptionError;
exports.setLogger = setLogger;
exports.flushAll = flushAll;
exports.closeAll = closeAll;
exports.quarantineStore = quarantineStore;
exports.isKeysUploadConflict = isKeysUploadConflict;
exports.getVersions = getVersions;
exports.createBackupKey = createBackupKey;
exports.backupPublicKey = backupPublicKey;
exports.SNAPSHOT_NAME = SNAPSHOT_NAME;
exports.REGISTRY_NAME = REGISTRY_NAME;
