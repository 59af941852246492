// Idle memory of the bot process: started against the real Synapse (as in the e2e suite), then left
// alone; resident set size sampled from /proc once a second, the median of the idle window reported.
//
// Besides the idle median, RSS after a full garbage collection forced through the inspector (the bot
// runs with --inspect on a loopback port): an idle process keeps garbage until V8 collects it.
//
// 1. Joined to 5 rooms, encryption off: as `npm start` runs it (TypeScript through tsx) and compiled
//    (`npm run build && npm run start:prod`).
// 2. At scale, compiled, encryption off beside on: the bot joined to `rooms` rooms (encrypted ones when
//    encryption is on) with `meetings` meetings in its database (bench/seed-scale.ts: real rooms on the
//    Synapse, rows written through the project's stores, private prompts as the bot's default), a BBB
//    simulator as its BBB. Measured after the first start (the initial sync of every room) and again after
//    a restart (what a deploy leaves running); seeding and start-up times printed too. Two worlds of the
//    same size, one with plain rooms and one whose rooms were created encrypted, each kept between runs
//    (bench/seed-cache.ts: a rerun seeds nothing while the Synapse still holds them).
//
// Each bot runs twice: with Node's defaults, and with the memory settings of the production unit
// (deploy/meetbot.service's NODE_OPTIONS, LD_PRELOAD of jemalloc and MALLOC_CONF, read from the unit;
// jemalloc only where libjemalloc2 is installed, else the line says so).
//
//   npx tsx bench/idle-memory.ts [idleSeconds=20] [rooms=1000] [meetings=10000]
//   (BENCH_SCALE_ONLY=1 skips the 5-room measures.)
import './node-version.js';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { passwordLogin } from '../src/matrix/sdk/login.js';
import { type BotProcess, startBot } from '../test/e2e/support/bot-process.js';
import { TestHomeserver, TestUser } from '../test/e2e/support/homeserver.js';
import { acquireHomeserver } from '../test/e2e/support/homeserver-lifecycle.js';
import { startBbbSimulator } from '../test/support/bbb-simulator.js';
import { seededWorld, type World } from './seed-cache.js';

const print = (line: string) => process.stdout.write(`${line}\n`);
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
const statSize = (path: string) => statSync(path).size;

/** The process's peak resident set size so far (VmHWM). */
function peakMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

async function measure(
  hs: TestHomeserver,
  url: string,
  entry: 'source' | 'compiled',
  idleSeconds: number,
  settings: Settings,
  encryption = false,
) {
  const botUser = await hs.registerUser('meetbot-mem');
  const user = await hs.registerUser('mem-user');
  const bot = await startBot({
    homeserverUrl: url,
    botUser,
    entry,
    env: botEnv(settings),
    config: { logLevel: 'info', matrix: { encryption } },
  });
  try {
    for (let i = 0; i < 5; i++) await user.createRoom({ invite: [botUser.userId], name: `room ${i}` });
    await new Promise((r) => setTimeout(r, 3000));
    const afterStart = rssMiB(bot.pid!);
    const samples: number[] = [];
    for (let s = 0; s < idleSeconds; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      samples.push(rssMiB(bot.pid!));
    }
    samples.sort((a, b) => a - b);
    const gc = await rssAfterGc(bot);
    const how = `${entry === 'source' ? 'npm start (tsx)' : 'npm run start:prod (compiled)'}, encryption ${encryption ? 'on' : 'off'}, ${describeSettings(settings)}`;
    print(
      `idle RSS, ${how}, 5 rooms, ${idleSeconds} s idle: after start ${afterStart.toFixed(1)} MiB, median ${samples[Math.floor(samples.length / 2)]!.toFixed(1)} MiB, max ${samples.at(-1)!.toFixed(1)} MiB; after a full GC ${gc.toFixed(1)} MiB`,
    );
  } finally {
    await bot.dispose();
  }
}

type Settings = 'node defaults' | 'production';
/** The memory settings the systemd unit starts the bot with (the Dockerfile's are checked to match). */
function productionEnv(): Record<string, string> {
  const unit = readFileSync('deploy/meetbot.service', 'utf8');
  const env: Record<string, string> = {};
  for (const m of unit.matchAll(/^Environment="?(NODE_OPTIONS|LD_PRELOAD|MALLOC_CONF)=(.*?)"?$/gm))
    env[m[1]!] = m[2]!;
  if (env.LD_PRELOAD && !existsSync(env.LD_PRELOAD)) {
    print(
      `note: ${env.LD_PRELOAD} is not installed here (apt install libjemalloc2): production settings without it`,
    );
    delete env.LD_PRELOAD;
    delete env.MALLOC_CONF;
  }
  return env;
}
const production = productionEnv();
/**
 * The inspector (on a free loopback port) lets the bench force a full garbage collection in the bot
 * (HeapProfiler.collectGarbage): an idle process keeps its garbage until V8 happens to collect it, so
 * RSS alone depends on when the last major GC ran. Both figures are reported.
 */
function botEnv(settings: Settings): Record<string, string> {
  const inspect = '--inspect=127.0.0.1:0';
  if (settings === 'node defaults') return { NODE_OPTIONS: inspect };
  return { ...production, NODE_OPTIONS: `${inspect} ${production.NODE_OPTIONS ?? ''}`.trim() };
}
const describeSettings = (settings: Settings) =>
  settings === 'node defaults'
    ? "Node's defaults"
    : `production settings (${Object.entries(production)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')})`;

/** Forces a full GC in the bot through its inspector, then samples RSS for 5 s: the median. */
async function rssAfterGc(bot: BotProcess): Promise<number> {
  const line = [...bot.lines()].reverse().find((l) => l.includes('Debugger listening on ws://'));
  const url = /ws:\/\/\S+/.exec(line ?? '')?.[0];
  if (!url) throw new Error('the bot printed no inspector URL');
  const ws = new WebSocket(url);
  const usage = await new Promise<NodeJS.MemoryUsage>((resolve, reject) => {
    ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    ws.onmessage = (m) => {
      const reply = JSON.parse(String(m.data)) as { id?: number; result?: { result?: { value?: string } } };
      if (reply.id === 1) {
        const expression = 'JSON.stringify(process.memoryUsage())';
        ws.send(
          JSON.stringify({ id: 2, method: 'Runtime.evaluate', params: { expression, returnByValue: true } }),
        );
      }
      if (reply.id === 2) resolve(JSON.parse(reply.result?.result?.value ?? '{}'));
    };
    ws.onerror = () => reject(new Error(`inspector ${url} failed`));
  });
  ws.close();
  await sleep(2000);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(rssMiB(bot.pid!));
    await sleep(1000);
  }
  const mib = (n: number) => (n / 2 ** 20).toFixed(1);
  print(
    `  after the GC: V8 heap used ${mib(usage.heapUsed)} of ${mib(usage.heapTotal)} MiB, external ${mib(usage.external)} MiB (array buffers ${mib(usage.arrayBuffers)}), RSS ${mib(usage.rss)} MiB`,
  );
  return median(samples);
}

/** At scale, prompt edits and key sharing go on for a while after "bot ready": let them finish. */
const SETTLE_S = 30;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** RSS once a second for `seconds`, after `settleSeconds` of letting the process settle. */
async function idleRss(pid: number, seconds: number, settleSeconds: number) {
  await sleep(settleSeconds * 1000);
  const samples: number[] = [];
  for (let s = 0; s < seconds; s++) {
    await sleep(1000);
    samples.push(rssMiB(pid));
  }
  return { median: median(samples), max: Math.max(...samples) };
}

interface Scale {
  rooms: number;
  meetings: number;
  idleSeconds: number;
}

/** The seeded world (from the cache when the Synapse still holds it), with its seeding figures. */
async function seedScale(hs: TestHomeserver, scale: Scale, encrypted: boolean) {
  const world = await seededWorld(
    hs,
    { rooms: scale.rooms, meetings: scale.meetings, prompts: 'direct', encrypted },
    print,
  );
  const { stats, seeded } = world;
  print(
    `seeding${world.reused ? ' (reused; times of the run that seeded it)' : ''}: ${scale.rooms} ${encrypted ? 'encrypted' : 'plain'} rooms (3 people + the bot each; ${seeded.people.length} people with a device and keys each, ${seeded.directRooms.size} DM rooms) ${secs(world.roomsMs)}; ` +
      `${stats.meetings} meetings (${stats.recordings.available + stats.recordings.purged} recordings: ${stats.recordings.available} available, ${stats.recordings.purged} purged; ${stats.reconciled} meetings with their private prompts and ✅ posted for real) ${secs(world.dbMs)} (posting ${secs(stats.postMs)}, writing ${secs(stats.writeMs)}); database ${(statSize(world.template) / 2 ** 20).toFixed(1)} MiB`,
  );
  return world;
}

async function measureAtScale(
  url: string,
  world: World,
  scratch: string,
  scale: Scale,
  encryption: boolean,
  settings: Settings,
  botUser: TestUser,
) {
  const { rooms, meetings, idleSeconds } = scale;
  const opts = { rooms, meetings, idleSeconds, encryption };
  const label = `encryption ${encryption ? 'on' : 'off'}, ${describeSettings(settings)}`;
  // A fresh copy of the same database each time (an initial sync); the crypto store stays beside it.
  const dbPath = join(scratch, `bot-${encryption ? 'on' : 'off'}-${settings.replace(' ', '-')}.db`);
  copyFileSync(world.template, dbPath);
  let t: number;
  const secret = randomBytes(16).toString('hex');
  const sim = await startBbbSimulator({ secret });
  let bot: BotProcess | undefined;
  try {
    t = performance.now();
    bot = await startBot({
      homeserverUrl: url,
      botUser,
      entry: 'compiled',
      env: botEnv(settings),
      readyTimeoutMs: 15 * 60_000,
      config: {
        logLevel: 'info',
        matrix: { encryption: opts.encryption },
        database: { path: dbPath },
        bbb: { url: sim.url, secret },
      },
    });
    const readyMs = performance.now() - t;
    const firstAtReady = rssMiB(bot.pid!);
    const first = await idleRss(bot.pid!, opts.idleSeconds, SETTLE_S);
    const firstGc = await rssAfterGc(bot);
    const firstPeak = peakMiB(bot.pid!);
    t = performance.now();
    await bot.restart({ readyTimeoutMs: 15 * 60_000 });
    const restartMs = performance.now() - t;
    const againAtReady = rssMiB(bot.pid!);
    const again = await idleRss(bot.pid!, opts.idleSeconds, SETTLE_S);
    const againGc = await rssAfterGc(bot);
    const againPeak = peakMiB(bot.pid!);
    const records = bot.records();
    const errors = records.filter((r) => typeof r.level === 'number' && r.level >= 50);
    const reconciled = records.filter((r) => r.msg === 'reconciled meetings').map((r) => r.meetings);
    print(
      `idle RSS, compiled, ${label}, ${opts.rooms} rooms, ${opts.meetings} meetings, ${opts.idleSeconds} s idle after ${SETTLE_S} s: ` +
        `first start (initial sync) ready in ${secs(readyMs)} at ${firstAtReady.toFixed(1)} MiB, peak ${firstPeak.toFixed(1)} MiB, idle median ${first.median.toFixed(1)} MiB (max ${first.max.toFixed(1)}), after a full GC ${firstGc.toFixed(1)} MiB; ` +
        `restart (stop + start) ready in ${secs(restartMs)} at ${againAtReady.toFixed(1)} MiB, peak ${againPeak.toFixed(1)} MiB, idle median ${again.median.toFixed(1)} MiB (max ${again.max.toFixed(1)}), after a full GC ${againGc.toFixed(1)} MiB; ` +
        `meetings reconciled at the starts: ${reconciled.join(', ')}; ${errors.length} errors logged${errors.length ? ` (first: ${JSON.stringify(errors[0]).slice(0, 300)})` : ''}`,
    );
    return { first: first.median, restarted: again.median, firstGc, againGc };
  } finally {
    await bot?.dispose();
    await sim.close();
  }
}

async function main(): Promise<void> {
  const idleSeconds = Number(process.argv[2] ?? 20);
  const rooms = Number(process.argv[3] ?? 1000);
  const meetings = Number(process.argv[4] ?? 10_000);
  const acquired = await acquireHomeserver();
  type Figures = { first: number; restarted: number; firstGc: number; againGc: number };
  // Production first: with encryption on, its first start is then a real first start (a new device, no
  // keys yet) and its restart a real restart. The second settings start on the keys the first left behind
  // with a fresh copy of the database, a state no deployment reaches (the database lost, the keys kept):
  // the start re-edits the 546 prompts and shares new room keys for them, so that device holds room keys
  // from two first starts (docs/benchmarks.md).
  const SETTINGS: Settings[] = ['production', 'node defaults'];
  try {
    const hs = new TestHomeserver(acquired.info);
    if (!process.env.BENCH_SCALE_ONLY)
      await measure(hs, acquired.info.url, 'source', idleSeconds, 'node defaults');
    if (spawnSync('npm', ['run', 'build'], { stdio: 'ignore' }).status !== 0)
      throw new Error('npm run build failed');
    if (!process.env.BENCH_SCALE_ONLY) {
      for (const settings of SETTINGS)
        await measure(hs, acquired.info.url, 'compiled', idleSeconds, settings);
    }
    const scale = { rooms, meetings, idleSeconds };
    // One device of the bot account per encryption variant, shared by both settings (the second run starts
    // on the first one's keys): a new device could not read what the one before it encrypted.
    const device = async (world: World) => {
      const { userId, displayName, password, homeserverUrl } = world.botUser;
      const login = await passwordLogin(homeserverUrl, userId, password, 'idle-memory bench');
      return new TestUser(homeserverUrl, userId, login.accessToken, displayName, password);
    };
    const off = new Map<Settings, Figures>();
    const on = new Map<Settings, Figures>();
    const scratch = mkdtempSync(join(tmpdir(), 'bench-idle-scale-'));
    try {
      const plain = await seedScale(hs, scale, false);
      const offDevice = await device(plain);
      for (const settings of SETTINGS)
        off.set(
          settings,
          await measureAtScale(acquired.info.url, plain, scratch, scale, false, settings, offDevice),
        );
      const encrypted = await seedScale(hs, scale, true);
      const onDevice = await device(encrypted);
      for (const settings of SETTINGS)
        on.set(
          settings,
          await measureAtScale(acquired.info.url, encrypted, scratch, scale, true, settings, onDevice),
        );
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    for (const settings of SETTINGS) {
      const [a, b] = [on.get(settings)!, off.get(settings)!];
      print(
        `${describeSettings(settings)}: encryption on vs off at ${rooms} rooms / ${meetings} meetings, after a restart: idle median ${a.restarted.toFixed(1)} vs ${b.restarted.toFixed(1)} MiB, after a full GC ${a.againGc.toFixed(1)} vs ${b.againGc.toFixed(1)} MiB (${signed(a.againGc - b.againGc)} MiB); ` +
          `after the first start: idle median ${a.first.toFixed(1)} vs ${b.first.toFixed(1)} MiB, after a full GC ${a.firstGc.toFixed(1)} vs ${b.firstGc.toFixed(1)} MiB; goal: at most 150 MiB with encryption on`,
      );
    }
  } finally {
    await acquired.release();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
