// The crypto adapter's store (packages/matrix-sdk-crypto-nodejs-wasm): start-up time of a fresh and of a
// restored store, snapshot size and write time with N Megolm inbound sessions, resident memory added.
// The sessions are real: a second engine (plain matrix-sdk-crypto-wasm, in memory) shares a room key
// for each of N rooms with the adapter's device through the in-process keys server of the tests.
//
//   npx tsx bench/e2ee-store.ts [sessions=1000]      (E2EE_BENCH_KEEP=1 keeps the store and prints its path;
//   node --import tsx bench/e2ee-store.ts --restore <path> times a restore of it in a fresh process)
import './node-version.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const N = Number(process.argv[2] ?? 1000);
const rssMiB = () => process.memoryUsage().rss / 2 ** 20;
const ms = (t: number) => `${t.toFixed(0)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  const rssBefore = rssMiB();
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-e2ee-'));
  const adapter = await import('@matrix-org/matrix-sdk-crypto-nodejs');
  const wasm = await import('@matrix-org/matrix-sdk-crypto-wasm');
  const { FakeClient, FakeKeysServer } = await import(
    '../packages/matrix-sdk-crypto-nodejs-wasm/test/fake-keys-server.js'
  );
  const { OlmMachine, UserId, DeviceId, RequestType } = adapter;
  const BOT = '@bot:example.org';
  const SENDER = '@sender:example.org';
  const store = path.join(dir, 'bot');
  const open = () => OlmMachine.initialize(new UserId(BOT), new DeviceId('BOTDEVICE'), store, '', 0);

  try {
    let t = performance.now();
    const cold = await open();
    const coldMs = performance.now() - t;
    await cold.close();
    const rssEngine = rssMiB();
    t = performance.now();
    const other = await OlmMachine.initialize(
      new UserId(BOT),
      new DeviceId('OTHER'),
      path.join(dir, 'other'),
      '',
      0,
    );
    const freshMs = performance.now() - t;
    await other.close();
    t = performance.now();
    const restoredEmpty = await open();
    const restoredEmptyMs = performance.now() - t;
    console.log(
      `init: fresh store ${ms(coldMs)} (first in the process, incl. loading the engine), fresh ${ms(freshMs)}, restored ${ms(restoredEmptyMs)}; snapshot ${(statSync(path.join(store, adapter.SNAPSHOT_NAME)).size / 1024).toFixed(1)} KiB`,
    );

    const server = new FakeKeysServer();
    const bot = new FakeClient(server, BOT, 'BOTDEVICE', restoredEmpty);
    await bot.run();
    // The sender: the plain wasm engine with its in-memory store, driven like the SDK drives a machine.
    const sender = await wasm.OlmMachine.initialize(new wasm.UserId(SENDER), new wasm.DeviceId('SENDERDEV'));
    server.register(SENDER, 'SENDERDEV');
    const pump = async () => {
      for (const r of await sender.outgoingRequests()) {
        const body = JSON.parse(r.body);
        const eventType = 'event_type' in r ? (r as { event_type: string }).event_type : undefined;
        const resp = server.handle(SENDER, 'SENDERDEV', r.type, body, eventType);
        await sender.markRequestAsSent(String(r.id), r.type, JSON.stringify(resp));
      }
    };
    await pump();
    await sender.updateTrackedUsers([new wasm.UserId(BOT)]);
    await pump();
    const claim = await sender.getMissingSessions([new wasm.UserId(BOT)]);
    if (claim) {
      const resp = server.handle(SENDER, 'SENDERDEV', RequestType.KeysClaim, JSON.parse(claim.body));
      await sender.markRequestAsSent(claim.id, claim.type, JSON.stringify(resp));
    }

    const receiveMs: number[] = [];
    const batch = 100;
    for (let i = 0; i < N; i++) {
      const settings = new wasm.EncryptionSettings();
      for (const r of await sender.shareRoomKey(
        new wasm.RoomId(`!room${i}:example.org`),
        [new wasm.UserId(BOT)],
        settings,
      )) {
        const resp = server.handle(
          SENDER,
          'SENDERDEV',
          RequestType.ToDevice,
          JSON.parse(r.body),
          r.event_type,
        );
        await sender.markRequestAsSent(r.txn_id, RequestType.ToDevice, JSON.stringify(resp));
      }
      if ((i + 1) % batch === 0 || i === N - 1) {
        t = performance.now();
        await bot.sync(); // up to `batch` room keys in one /sync
        receiveMs.push(performance.now() - t);
      }
    }
    const counts = await bot.machine.roomKeyCounts();
    const size = statSync(path.join(store, adapter.SNAPSHOT_NAME)).size;
    console.log(
      `${counts.total} Megolm inbound sessions: snapshot ${(size / 2 ** 20).toFixed(2)} MiB; a /sync bringing ${batch} room keys takes ${ms(median(receiveMs))} (median; last ${ms(receiveMs.at(-1) ?? Number.NaN)}), snapshot write included`,
    );

    // One more room key with N stored: re-reads the sessions' object store and writes the whole file.
    const oneMs: number[] = [];
    for (let k = 0; k < 5; k++) {
      for (const r of await sender.shareRoomKey(
        new wasm.RoomId(`!extra${k}:example.org`),
        [new wasm.UserId(BOT)],
        new wasm.EncryptionSettings(),
      )) {
        server.handle(SENDER, 'SENDERDEV', RequestType.ToDevice, JSON.parse(r.body), r.event_type);
        await sender.markRequestAsSent(r.txn_id, RequestType.ToDevice, '{}');
      }
      t = performance.now();
      await bot.sync();
      oneMs.push(performance.now() - t);
    }
    // A change outside the sessions (a newly tracked user): only that object store is read again.
    const smallMs: number[] = [];
    for (let k = 0; k < 5; k++) {
      t = performance.now();
      await bot.machine.updateTrackedUsers([new UserId(`@new${k}:example.org`)]);
      smallMs.push(performance.now() - t);
    }
    // An idle /sync: the engine re-saves its account; the adapter sees an identical snapshot and skips it.
    const writesBefore = bot.machine.storeInfo.writes;
    const idleMs: number[] = [];
    for (let k = 0; k < 5; k++) {
      t = performance.now();
      await bot.machine.receiveSyncChanges('[]', new adapter.DeviceLists([], []), { signed_curve25519: 50 }, [
        'signed_curve25519',
      ]);
      idleMs.push(performance.now() - t);
    }
    const idleWrites = bot.machine.storeInfo.writes - writesBefore;
    const rssWith = rssMiB();
    await bot.machine.close();

    // A new process restores the store, as the bot does at start: time and memory without the sender.
    const child = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--restore', store], {
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`restore process failed: ${child.stderr}`);
    const r = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}');
    console.log(
      `with ${counts.total} sessions: one room key arriving ${ms(median(oneMs))}; another change (tracked user) ${ms(median(smallMs))}; idle /sync ${ms(median(idleMs))} (${idleWrites} writes in 5); restore at start ${ms(r.restoreMs)} in a new process (${r.writesAtOpen} snapshot writes while opening)`,
    );
    console.log(
      `RSS of a new process restoring that store: ${r.rssBefore.toFixed(1)} MiB before loading the adapter, ${r.rssAfter.toFixed(1)} MiB after (+${(r.rssAfter - r.rssBefore).toFixed(1)} MiB)`,
    );
    console.log(
      `RSS in this process: ${rssBefore.toFixed(1)} MiB before loading the adapter, ${rssEngine.toFixed(1)} MiB after the first machine (+${(rssEngine - rssBefore).toFixed(1)} MiB), ${rssWith.toFixed(1)} MiB after receiving ${counts.total} sessions (+${(rssWith - rssBefore).toFixed(1)} MiB, the sending engine included)`,
    );
  } finally {
    if (process.env.E2EE_BENCH_KEEP) console.log(`store kept in ${store}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function restoreOnly(store: string): Promise<void> {
  const rssBefore = rssMiB();
  const { OlmMachine, UserId, DeviceId } = await import('@matrix-org/matrix-sdk-crypto-nodejs');
  const t = performance.now();
  const m = await OlmMachine.initialize(
    new UserId('@bot:example.org'),
    new DeviceId('BOTDEVICE'),
    store,
    '',
    0,
  );
  const restoreMs = performance.now() - t;
  const fullWriteMs = m.storeInfo.lastWrite.ms;
  const writesAtOpen = m.storeInfo.writes;
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 500));
  const rssAfter = rssMiB();
  await m.close();
  console.log(JSON.stringify({ rssBefore, rssAfter, restoreMs, fullWriteMs, writesAtOpen }));
}

if (process.argv[2] === '--restore') await restoreOnly(process.argv[3] ?? '');
else await main();
