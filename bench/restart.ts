// How long the bot takes to be ready after a restart at scale: the compiled bot joined to `rooms` rooms
// on the real Synapse, with `meetings` meetings in its database (bench/seed-scale.ts; private prompts,
// the default, unless `room` is given), a BBB simulator as its BBB. One first start (the initial sync
// of every room), then `restarts` restarts; for each the time from the stop to "bot ready" and the
// start-up reconciliation's steps as the bot logs them (reading the answers, the downtime's events
// with the wait for the first sync, acting). The seeded world is kept between runs (bench/seed-cache.ts).
//
//   npx tsx bench/restart.ts [rooms=1000] [meetings=10000] [restarts=5] [direct|room]
import './node-version.js';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { passwordLogin } from '../src/matrix/sdk/login.js';
import { type BotProcess, startBot } from '../test/e2e/support/bot-process.js';
import { TestHomeserver, TestUser } from '../test/e2e/support/homeserver.js';
import { acquireHomeserver } from '../test/e2e/support/homeserver-lifecycle.js';
import { startBbbSimulator } from '../test/support/bbb-simulator.js';
import { percentile } from './matrix-roundtrip.js';
import { seededWorld } from './seed-cache.js';

const print = (line: string) => process.stdout.write(`${line}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/**
 * Where the latest start's time went, from its log: "privacy notice loaded" (after the preflight checks) →
 * "reconciled meetings" → "bot ready".
 */
function phases(bot: BotProcess): string {
  const records = bot.records();
  const from = records.findLastIndex((r) => r.msg === 'privacy notice loaded');
  const at = (msg: string) => {
    const r = records.slice(from).find((x) => x.msg === msg);
    return r ? Date.parse(String(r.time)) : Number.NaN;
  };
  const first = Date.parse(String(records[from]?.time));
  const reconciledAt = at('reconciled meetings');
  const ready = at('bot ready');
  return `notice loaded → reconciled ${reconciledAt - first} ms → ready ${ready - reconciledAt} ms`;
}

/** From the latest spawn of the bot process to its "bot ready" (the stop of the one before not counted). */
function startMs(bot: BotProcess): number {
  const lines = bot.lines();
  const spawn = lines.findLastIndex((l) => l.startsWith('[harness') && l.includes('] spawn '));
  const at = /^\[harness (\S+)\]/.exec(lines[spawn] ?? '')?.[1];
  const ready = bot
    .records()
    .filter((r) => r.msg === 'bot ready')
    .at(-1);
  return Date.parse(String(ready?.time)) - Date.parse(String(at));
}

/**
 * Waits until the bot's process has used (almost) no CPU for `quietS` seconds in a row: after a start
 * it edits the prompts whose tally it shows, and a restart in the middle of that is no restart of a
 * running service (and its stop waits for them).
 */
async function settled(pid: number, quietS = 5, maxS = 600): Promise<number> {
  const ticks = () => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(f[11]) + Number(f[12]);
  };
  const t = performance.now();
  let last = ticks();
  let quiet = 0;
  for (let s = 0; s < maxS && quiet < quietS; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = ticks();
    quiet = now - last <= 2 ? quiet + 1 : 0;
    last = now;
  }
  return performance.now() - t;
}

/** The reconciliation line of the bot's latest start. */
function reconciled(bot: BotProcess) {
  const line = bot
    .records()
    .filter((r) => r.msg === 'reconciled meetings')
    .at(-1);
  return line as { meetings: number; readMs?: number; downtimeMs?: number; actMs?: number } | undefined;
}

async function main(): Promise<void> {
  const rooms = Number(process.argv[2] ?? 1000);
  const meetings = Number(process.argv[3] ?? 10_000);
  const restarts = Number(process.argv[4] ?? 5);
  const prompts = (process.argv[5] ?? 'direct') as 'direct' | 'room';
  const acquired = await acquireHomeserver();
  const scratch = mkdtempSync(join(tmpdir(), 'bench-restart-'));
  const secret = randomBytes(16).toString('hex');
  const sim = await startBbbSimulator({ secret });
  let bot: BotProcess | undefined;
  try {
    const hs = new TestHomeserver(acquired.info);
    const world = await seededWorld(hs, { rooms, meetings, prompts, encrypted: false }, print);
    print(
      `world: ${rooms} rooms, ${world.stats.meetings} meetings, ${world.stats.reconciled} with prompts and ✅ on the homeserver (${prompts} prompts); ` +
        `seeding ${world.reused ? 'reused, it took' : 'took'} ${secs(world.roomsMs)} for the rooms and ${secs(world.dbMs)} for the meetings`,
    );
    if (spawnSync('npm', ['run', 'build'], { stdio: 'ignore' }).status !== 0)
      throw new Error('npm run build failed');
    const dbPath = join(scratch, 'bot.db');
    copyFileSync(world.template, dbPath);
    const { userId, displayName, password, homeserverUrl } = world.botUser;
    const login = await passwordLogin(homeserverUrl, userId, password, 'restart bench');
    const botUser = new TestUser(homeserverUrl, userId, login.accessToken, displayName, password);
    let t = performance.now();
    bot = await startBot({
      homeserverUrl: acquired.info.url,
      botUser,
      entry: 'compiled',
      readyTimeoutMs: 15 * 60_000,
      config: { logLevel: 'info', database: { path: dbPath }, bbb: { url: sim.url, secret } },
    });
    print(
      `first start (initial sync): ready after ${secs(performance.now() - t)}; ${JSON.stringify(reconciled(bot))}`,
    );
    // Let the first start's prompt edits and jobs finish before the restarts.
    print(`the first start's work after ready took ${secs(await settled(bot.pid!))}`);
    const ready: number[] = [];
    const started: number[] = [];
    for (let i = 0; i < restarts; i++) {
      const before = load();
      t = performance.now();
      await bot.restart({ readyTimeoutMs: 5 * 60_000 });
      const ms = performance.now() - t;
      ready.push(ms);
      started.push(startMs(bot));
      print(
        `restart ${i + 1}: stop + start ${secs(ms)}, start (spawn → ready) ${secs(started.at(-1)!)} (load ${before}); ${phases(bot)}; ${JSON.stringify(reconciled(bot))}`,
      );
      print(`  then busy for ${secs(await settled(bot.pid!))}`);
    }
    const errors = bot.records().filter((r) => typeof r.level === 'number' && r.level >= 50);
    const warnings = new Set(
      bot
        .records()
        .filter((r) => r.level === 40)
        .map((r) => String(r.msg)),
    );
    print(`warnings logged: ${[...warnings].join(' | ') || 'none'}`);
    print(
      `restart, ${restarts} restarts: start (spawn → ready) median ${secs(percentile(started, 50))}, min ${secs(Math.min(...started))}, max ${secs(Math.max(...started))}; ` +
        `stop + start median ${secs(percentile(ready, 50))}; ` +
        `${errors.length} errors logged${errors.length ? ` (first: ${JSON.stringify(errors[0]).slice(0, 300)})` : ''}; goal: at most 2 s`,
    );
  } finally {
    await bot?.dispose();
    await sim.close();
    rmSync(scratch, { recursive: true, force: true });
    await acquired.release();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
