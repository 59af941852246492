// The crypto adapter's file store: one process per store, a crash mid-write never corrupts it, an
// unreadable or missing store stops the start with a clear, typed error instead of a silent new identity.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CryptoStoreError,
  DeviceId,
  DeviceLists,
  OlmMachine,
  quarantineStore,
  RequestType,
  RoomId,
  SNAPSHOT_NAME,
  setLogger,
  UserId,
} from '../index.js';
import { FakeClient, FakeKeysServer } from './fake-keys-server.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'store-worker.cjs');
const BOT = '@bot:example.org';
const DEVICE = 'BOTDEVICE';

let dir: string;
let store: string;
const children: ChildProcess[] = [];

const open = () => OlmMachine.initialize(new UserId(BOT), new DeviceId(DEVICE), store, '', 0);
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected initialize to fail');
    },
    (e: unknown) => e as CryptoStoreError,
  );

/** Starts the worker; resolves once it printed a line matching `until`. */
function worker(
  mode: 'hold' | 'write-loop' | 'upload-and-die' | 'exit',
  onLine?: (line: string) => void,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER, mode, store], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith('ready')) resolve(child);
        if (line.startsWith('error')) reject(new Error(line));
        onLine?.(line);
      }
    });
    child.on('close', (code) => reject(new Error(`worker exited with ${code}`))); // after its output
  });
}
const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'crypto-store-'));
  store = path.join(dir, 'device-store');
});
afterEach(async () => {
  await Promise.all(children.splice(0).map(killed));
  rmSync(dir, { recursive: true, force: true });
});

describe('crypto store', () => {
  it('refuses a second process while the first holds the store, and opens once that process is gone', async () => {
    const holder = await worker('hold');
    const err = await failure(open());
    expect(err).toBeInstanceOf(CryptoStoreError);
    expect(err.code).toBe('LOCKED');
    expect(err.message).toContain(`process ${holder.pid}`);
    expect(err.message).toContain('Only one bot process may use a crypto store');

    await killed(holder); // SIGKILL: the lock file stays behind, its pid is dead
    const m = await open();
    expect(m.storeInfo.restored).toBe(true);
    await m.close();
  });

  it('takes over a lock whose process is dead on this host, and says so; never one of another host or of a live pid', async () => {
    const warnings: string[] = [];
    setLogger({ warn: (message) => warnings.push(message) });
    const lockFile = path.join(store, 'store.lock');
    const lock = (pid: number, host: string) => {
      mkdirSync(store, { recursive: true });
      writeFileSync(lockFile, `${JSON.stringify({ pid, host, startedAt: '2026-01-01T00:00:00.000Z' })}\n`);
    };
    try {
      // A process that was killed where it stood: its pid is gone.
      const dead = spawnSync(process.execPath, ['-e', '0']).pid;
      lock(dead, hostname());
      const m = await open();
      expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(process.pid);
      expect(warnings).toEqual([
        `Took over the lock of the crypto store ${store}: process ${dead} on this host (started 2026-01-01T00:00:00.000Z) is gone without releasing it`,
      ]);
      await m.close();

      // The same dead pid on another host: that host's process may be alive.
      lock(dead, 'another-host.invalid');
      const elsewhere = await failure(open());
      expect(elsewhere.code).toBe('LOCKED');
      expect(elsewhere.message).toContain('(it was locked from another host)');

      // A live pid on this host (whatever program it is now) is never taken.
      const alive = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
      children.push(alive);
      lock(alive.pid!, hostname());
      expect((await failure(open())).message).toContain(`process ${alive.pid} on ${hostname()}`);
      expect(warnings).toHaveLength(1);
    } finally {
      setLogger({ warn: () => {} });
    }
  });

  it('a process that exits without close() leaves no lock behind', async () => {
    const child = await worker('exit');
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    expect(child.exitCode).toBe(0);
    expect(existsSync(path.join(store, 'store.lock'))).toBe(false);
    expect(existsSync(path.join(store, SNAPSHOT_NAME))).toBe(true);
  });

  it('refuses a second opener in the same process too', async () => {
    const m = await open();
    expect((await failure(open())).code).toBe('LOCKED');
    await m.close();
    const again = await open(); // close() released the lock
    await again.close();
  });

  it('a process killed during a write loop leaves a readable store holding every acknowledged change', async () => {
    for (const delayMs of [150, 400]) {
      let acked = -1;
      const child = await worker('write-loop', (line) => {
        if (line.startsWith('acked ')) acked = Number(line.slice(6));
      });
      const start = acked;
      await new Promise((r) => setTimeout(r, delayMs));
      await killed(child);
      expect(acked).toBeGreaterThan(start); // it really was writing

      const m = await open();
      const tracked = new Set((await m.trackedUsers()).map(String));
      for (let i = 0; i <= acked; i++) expect(tracked.has(`@user${i}:example.org`)).toBe(true);
      await m.close();
    }
  });

  it('a process killed between sending its key upload and storing the answer recovers: the same keys are offered again', async () => {
    const server = new FakeKeysServer();
    let uploaded: Record<string, unknown> | undefined;
    const child = await worker('upload-and-die', (line) => {
      if (line.startsWith('upload ')) uploaded = JSON.parse(line.slice(7));
    });
    await new Promise<void>((resolve) => {
      if (child.stdout?.closed) resolve();
      else child.once('close', () => resolve()); // exited and its output read
    });
    expect(child.signalCode).toBe('SIGKILL');
    server.register(BOT, DEVICE);
    server.handle(BOT, DEVICE, RequestType.KeysUpload, uploaded ?? {}); // the homeserver did store them

    // Restart: the same keys are offered again (the fake server, like Synapse, refuses different
    // keys under known IDs), and another device can then talk to the bot.
    const bot = new FakeClient(server, BOT, DEVICE, await open());
    await bot.run();
    const alice = new FakeClient(
      server,
      '@alice:example.org',
      'ALICEPHONE',
      await OlmMachine.initialize(
        new UserId('@alice:example.org'),
        new DeviceId('ALICEPHONE'),
        path.join(dir, 'alice'),
        '',
        0,
      ),
    );
    await alice.run();
    const encrypted = await alice.encrypt('!r:example.org', [BOT, '@alice:example.org'], 'm.room.message', {
      body: 'hi',
    });
    await bot.sync();
    const event = {
      type: 'm.room.encrypted',
      event_id: '$1',
      sender: '@alice:example.org',
      origin_server_ts: 1,
      room_id: '!r:example.org',
    };
    const d = await bot.machine.decryptRoomEvent(
      JSON.stringify({ ...event, content: encrypted }),
      new RoomId('!r:example.org'),
    );
    expect(JSON.parse(d.event).content.body).toBe('hi');
    await Promise.all([bot.machine.close(), alice.machine.close()]);
  });

  it('an idle sync leaves the file alone; a real change is written before the call returns', async () => {
    const m = await open();
    for (const r of await m.outgoingRequests()) {
      const resp =
        r.type === 0 ? { one_time_key_counts: { signed_curve25519: 50 } } : { device_keys: {}, failures: {} };
      await m.markRequestAsSent(r.id, r.type, JSON.stringify(resp));
    }
    const idleSync = () =>
      m.receiveSyncChanges('[]', new DeviceLists([], []), { signed_curve25519: 50 }, ['signed_curve25519']);
    await idleSync(); // the first sync after the upload stores the key counts
    const file = path.join(store, SNAPSHOT_NAME);
    const before = readFileSync(file);
    const writes = m.storeInfo.writes;
    for (let i = 0; i < 3; i++) {
      await m.receiveSyncChanges('[]', new DeviceLists([], []), { signed_curve25519: 50 }, [
        'signed_curve25519',
      ]);
    }
    expect(m.storeInfo.writes).toBe(writes);
    expect(readFileSync(file).equals(before)).toBe(true);

    await m.updateTrackedUsers([new UserId('@someone:example.org')]);
    expect(m.storeInfo.writes).toBe(writes + 1);
    expect(readFileSync(file).equals(before)).toBe(false);
    await m.close();
  });

  it('concurrent changes share snapshot writes, and each call returns only once its change is saved', async () => {
    const m = await open();
    const before = m.storeInfo.writes;
    const users = Array.from({ length: 20 }, (_, i) => `@c${i}:example.org`);
    await Promise.all(users.map((u) => m.updateTrackedUsers([new UserId(u)])));
    const writes = m.storeInfo.writes - before;
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThan(users.length / 2);
    await m.close();
    const again = await open(); // opening drops the in-memory databases and restores them from the file
    const tracked = new Set((await again.trackedUsers()).map(String));
    for (const u of users) expect(tracked.has(u)).toBe(true);
    await again.close();
  });

  it('a store written in the first snapshot format (one v8.serialize of everything) still opens', async () => {
    const m = await open();
    const key = m.identityKeys.ed25519.toBase64();
    await m.updateTrackedUsers([new UserId('@old:example.org')]);
    await m.close();
    // Rewrite the file in format 1: magic MXWASMS1, SHA-256, v8.serialize({ format, ids, databases }).
    const file = path.join(store, SNAPSHOT_NAME);
    const payload = readFileSync(file).subarray(40);
    const metaLength = payload.readUInt32BE(0);
    const meta = v8.deserialize(payload.subarray(4, 4 + metaLength));
    let offset = 4 + metaLength;
    for (const d of meta.databases) {
      d.stores = d.stores.map(({ length, ...schema }: { length: number }) => {
        const [keys, values] = v8.deserialize(payload.subarray(offset, offset + length));
        offset += length;
        return { ...schema, keys, values };
      });
    }
    const v1 = v8.serialize({ ...meta, format: 'matrix-sdk-crypto-nodejs-wasm/1' });
    writeFileSync(
      file,
      Buffer.concat([Buffer.from('MXWASMS1'), createHash('sha256').update(v1).digest(), v1]),
    );

    const again = await open();
    expect(again.identityKeys.ed25519.toBase64()).toBe(key);
    expect((await again.trackedUsers()).map(String)).toContain('@old:example.org');
    await again.close();
  });

  it('a damaged snapshot stops the start with CORRUPT and is left as it was', async () => {
    const m = await open();
    await m.close();
    const file = path.join(store, SNAPSHOT_NAME);
    const bytes = readFileSync(file);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    writeFileSync(file, bytes);

    const err = await failure(open());
    expect(err).toBeInstanceOf(CryptoStoreError);
    expect(err.code).toBe('CORRUPT');
    expect(err.message).toContain('checksum mismatch');
    expect(readFileSync(file).equals(bytes)).toBe(true); // not replaced by a fresh store

    writeFileSync(file, bytes.subarray(0, 100)); // truncated
    expect((await failure(open())).code).toBe('CORRUPT');
  });

  it('a deleted store is reported as LOST; after quarantining, a fresh store opens', async () => {
    const m = await open();
    const oldKey = m.identityKeys.ed25519.toBase64();
    await m.close();
    rmSync(store, { recursive: true });

    const err = await failure(open());
    expect(err.code).toBe('LOST');
    expect(err.deviceId).toBe(DEVICE);
    expect(err.message).toContain('log in a new device');

    quarantineStore(store, BOT, DEVICE);
    const fresh = await open();
    expect(fresh.storeInfo.restored).toBe(false);
    expect(fresh.identityKeys.ed25519.toBase64()).not.toBe(oldKey);
    await fresh.close();
  });

  it('quarantineStore moves a corrupt store aside', async () => {
    const m = await open();
    await m.close();
    writeFileSync(path.join(store, SNAPSHOT_NAME), 'garbage');
    expect((await failure(open())).code).toBe('CORRUPT');
    const moved = quarantineStore(store, BOT, DEVICE);
    expect(moved && existsSync(path.join(moved, SNAPSHOT_NAME))).toBe(true);
    const fresh = await open();
    expect(fresh.storeInfo.restored).toBe(false);
    await fresh.close();
  });
});
