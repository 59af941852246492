// The engine keeps its state in IndexedDB (here: fake-indexeddb, in memory). This module copies the
// engine's databases to one file and back. The file is written atomically (temporary file, fsync,
// rename, fsync of the directory), so a crash mid-write leaves the previous snapshot intact.
//
// File layout: 8-byte magic, 32-byte SHA-256 of the payload; payload = 4-byte length of the metadata,
// metadata = v8.serialize({ format, ids, databases: schema and byte length of every object store }),
// then each object store's records as v8.serialize([keys, values]). Object stores are kept serialised in
// memory, so a write re-serialises only the stores that changed.
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const path = require('node:path');
const v8 = require('node:v8');
const { createHash } = require('node:crypto');

const MAGIC_V1 = Buffer.from('MXWASMS1', 'ascii'); // one v8.serialize of everything (read only)
const MAGIC = Buffer.from('MXWASMS2', 'ascii');
const FORMAT_V1 = 'matrix-sdk-crypto-nodejs-wasm/1';
const FORMAT = 'matrix-sdk-crypto-nodejs-wasm/2';
const HEADER = MAGIC.length + 32;

const request = (req) =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });

const transactionDone = (tx) =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });

function openDatabase(idb, name, version, onUpgrade) {
  return new Promise((resolve, reject) => {
    const req = version === undefined ? idb.open(name) : idb.open(name, version);
    if (onUpgrade) req.onupgradeneeded = () => onUpgrade(req.result);
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error(`IndexedDB database ${name} is blocked by an open connection`));
  });
}

/** Names of the engine's databases for one store (`<storeName>::matrix-sdk-crypto`, `…-meta`). */
async function databaseNames(idb, prefix) {
  const all = await idb.databases();
  return all
    .map((d) => d.name)
    .filter((n) => n.startsWith(prefix))
    .sort();
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('base64');

/** An object store in memory: its schema, its records serialised, and their digest. */
function packStore({ keys, values, ...schema }) {
  const bytes = v8.serialize([keys, values]);
  return { ...schema, bytes, digest: sha256(bytes) };
}

function readStores(db, storeNames) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(storeNames, 'readonly');
    const stores = [];
    for (const storeName of storeNames) {
      const os = tx.objectStore(storeName);
      const indexes = Array.from(os.indexNames).map((indexName) => {
        const index = os.index(indexName);
        return {
          name: indexName,
          keyPath: index.keyPath,
          unique: index.unique,
          multiEntry: index.multiEntry,
        };
      });
      const entry = { name: storeName, keyPath: os.keyPath, autoIncrement: os.autoIncrement, indexes };
      stores.push(entry);
      const keys = os.getAllKeys();
      keys.onsuccess = () => {
        entry.keys = keys.result;
      };
      const values = os.getAll();
      values.onsuccess = () => {
        entry.values = values.result;
      };
    }
    tx.oncomplete = () => resolve(stores);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/**
 * Reads the store's databases, each in one read-only transaction. With `previous` (the last dump) and
 * `dirty` (database name -> names of object stores written since), only those object stores are
 * read again; without them, everything is.
 */
async function dump(idb, prefix, previous, dirty) {
  const names = await databaseNames(idb, prefix);
  const incremental =
    previous &&
    dirty &&
    names.length === previous.length &&
    names.every((n, i) => n === prefix + previous[i].name);
  const databases = [];
  for (const [i, name] of names.entries()) {
    const before = incremental ? previous[i] : undefined;
    const changed = dirty?.get(name);
    if (before && !changed) {
      databases.push(before);
      continue;
    }
    const db = await openDatabase(idb, name);
    try {
      const storeNames = Array.from(db.objectStoreNames);
      const sameSchema =
        before &&
        db.version === before.version &&
        storeNames.join('\0') === before.stores.map((s) => s.name).join('\0');
      const toRead = sameSchema ? storeNames.filter((n) => changed.has(n)) : storeNames;
      const fresh = toRead.length > 0 ? await readStores(db, toRead) : [];
      const packed = fresh.map(packStore);
      if (sameSchema) {
        // A store re-saved with the same content (the engine's account, at every sync) keeps its entry;
        // a database whose stores are all unchanged stays the same object (the caller skips the write).
        const stores = before.stores.map((s) => {
          const f = packed.find((x) => x.name === s.name);
          return f && f.digest !== s.digest ? f : s;
        });
        databases.push(stores.every((s, k) => s === before.stores[k]) ? before : { ...before, stores });
      } else {
        databases.push({ name: name.slice(prefix.length), version: db.version, stores: packed });
      }
    } finally {
      db.close();
    }
  }
  return databases;
}

/** Recreates the databases (schema version, object stores, indexes, records) before the engine opens them. */
async function restore(idb, prefix, databases) {
  for (const snap of databases) {
    const name = prefix + snap.name;
    await request(idb.deleteDatabase(name));
    const db = await openDatabase(idb, name, snap.version, (upgrading) => {
      for (const s of snap.stores) {
        const os = upgrading.createObjectStore(s.name, {
          keyPath: s.keyPath ?? undefined,
          autoIncrement: s.autoIncrement,
        });
        for (const ix of s.indexes)
          os.createIndex(ix.name, ix.keyPath, { unique: ix.unique, multiEntry: ix.multiEntry });
      }
    });
    try {
      if (snap.stores.length > 0) {
        const tx = db.transaction(
          snap.stores.map((s) => s.name),
          'readwrite',
        );
        const done = transactionDone(tx);
        for (const s of snap.stores) {
          const os = tx.objectStore(s.name);
          const inline = s.keyPath !== null && s.keyPath !== undefined;
          const [keys, values] = v8.deserialize(s.bytes);
          for (let i = 0; i < keys.length; i++) {
            if (inline) os.put(values[i]);
            else os.put(values[i], keys[i]);
          }
        }
        await done;
      }
    } finally {
      db.close();
    }
  }
}

async function deleteAll(idb, prefix) {
  for (const name of await databaseNames(idb, prefix)) await request(idb.deleteDatabase(name));
}

function encode(snapshot) {
  const blobs = [];
  const databases = snapshot.databases.map((d) => ({
    ...d,
    stores: d.stores.map(({ bytes, digest: _digest, ...schema }) => {
      blobs.push(bytes);
      return { ...schema, length: bytes.length };
    }),
  }));
  const meta = v8.serialize({ ...snapshot, format: FORMAT, databases });
  const metaLength = Buffer.alloc(4);
  metaLength.writeUInt32BE(meta.length);
  const payload = Buffer.concat([metaLength, meta, ...blobs]);
  const hash = createHash('sha256').update(payload).digest();
  return Buffer.concat([MAGIC, hash, payload]);
}

/** @returns the snapshot (object stores in the in-memory form); throws an Error saying what is wrong. */
function decode(buf) {
  const magic = buf.subarray(0, MAGIC.length);
  const v1 = magic.equals(MAGIC_V1);
  if (buf.length < HEADER || !(v1 || magic.equals(MAGIC))) {
    throw new Error('not a crypto store snapshot (wrong header)');
  }
  const payload = buf.subarray(HEADER);
  const hash = createHash('sha256').update(payload).digest();
  if (!hash.equals(buf.subarray(MAGIC.length, HEADER))) throw new Error('checksum mismatch (file damaged)');
  if (v1) {
    const snapshot = v8.deserialize(payload);
    if (!snapshot || snapshot.format !== FORMAT_V1 || !Array.isArray(snapshot.databases)) {
      throw new Error(`unknown snapshot format ${JSON.stringify(snapshot?.format)}`);
    }
    for (const d of snapshot.databases) d.stores = d.stores.map(packStore);
    return snapshot;
  }
  const metaLength = payload.readUInt32BE(0);
  const snapshot = v8.deserialize(payload.subarray(4, 4 + metaLength));
  if (!snapshot || snapshot.format !== FORMAT || !Array.isArray(snapshot.databases)) {
    throw new Error(`unknown snapshot format ${JSON.stringify(snapshot?.format)}`);
  }
  let offset = 4 + metaLength;
  for (const d of snapshot.databases) {
    d.stores = d.stores.map(({ length, ...schema }) => {
      const bytes = payload.subarray(offset, offset + length);
      offset += length;
      return { ...schema, bytes, digest: sha256(bytes) };
    });
  }
  if (offset !== payload.length) throw new Error('inconsistent snapshot (lengths do not add up)');
  return snapshot;
}

async function fsyncDir(dir) {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Temporary file, fsync, rename over the target, fsync the directory. */
async function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await fsp.open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsp.rename(tmp, file);
  await fsyncDir(path.dirname(file));
}

function writeAtomicSync(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const dfd = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dfd);
  } finally {
    fs.closeSync(dfd);
  }
}

module.exports = { dump, restore, deleteAll, encode, decode, writeAtomic, writeAtomicSync };
