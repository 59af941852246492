/**
 * Purge benchmark (not a test): `npx tsx bench/purge.ts [count]` (default 10 000).
 *
 * The real application (BotApp on a real SQLite file in a temp dir, the real BBB client) against the
 * BBB simulator over loopback HTTP, with the in-memory chat port. The bot's database is filled with
 * `count` closed meetings, each with one recorded session, one expired recording and three invitees
 * with consent evidence; the simulator holds the same recordings (published). Then:
 *   1. one retention run deletes all of them (list → delete → list again to confirm, per batch);
 *   2. a second run the next day finds nothing to do;
 *   3. a run after evidenceDaysAfterPurge prunes the consent evidence of every meeting.
 * Reported: wall time, BBB requests by call, heap and RSS (simulator in the same process).
 */
import './node-version.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { BotApp } from '../src/app/bot-app.js';
import { AppContext } from '../src/app/context.js';
import type { BbbPort } from '../src/app/ports.js';
import { BbbClient } from '../src/bbb/index.js';
import { parseConfig } from '../src/config/load.js';
import { openDatabase } from '../src/db/open.js';
import { createStores } from '../src/db/stores.js';
import { loadNotice } from '../src/notice.js';
import { startBbbSimulator } from '../test/support/bbb-simulator.js';
import { MemoryChat } from '../test/support/memory-chat.js';
import { SAMPLE_NOTICE_FACTS } from '../test/support/notice-facts.js';

const COUNT = Number(process.argv[2] ?? 10_000);
const SECRET = 'bench-purge-secret-0123456789';
const DAY = 24 * 60 * 60 * 1000;
const ROOM = '!bench:test';
const PEOPLE = ['@olga:test', '@alice:test', '@bob:test'];

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Samples heap and RSS every 20 ms while `fn` runs; returns the peaks. */
async function withPeakMemory<T>(fn: () => Promise<T>): Promise<{ result: T; heap: number; rss: number }> {
  let heap = 0;
  let rss = 0;
  const sample = () => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed);
    rss = Math.max(rss, m.rss);
  };
  sample();
  const timer = setInterval(sample, 20);
  try {
    const result = await fn();
    sample();
    return { result, heap, rss };
  } finally {
    clearInterval(timer);
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'meetbot-bench-purge-'));
  const dbPath = join(dir, 'bot.db');
  let t = Date.now();
  const clock = { now: () => t };
  const sim = await startBbbSimulator({ secret: SECRET, processingDelayMs: 0 });
  try {
    const config = parseConfig(
      {
        matrix: { homeserverUrl: 'http://127.0.0.1:1', accessToken: 'token' },
        bbb: { url: sim.url, secret: SECRET },
        database: { path: dbPath },
        retention: { recordingDays: 30, evidenceDaysAfterPurge: 365 },
        notice: SAMPLE_NOTICE_FACTS,
      },
      'bench-config',
      {},
    );
    const db = openDatabase(dbPath);
    const stores = createStores(db);
    const client = new BbbClient({ url: sim.url, secret: SECRET, algorithm: 'sha256' });
    // Time spent waiting for BBB (client + HTTP + simulator), to tell it from the bot's own work.
    let bbbMs = 0;
    const timed =
      <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        const start = performance.now();
        try {
          return await fn(...args);
        } finally {
          bbbMs += performance.now() - start;
        }
      };
    const bbb: BbbPort = {
      create: timed(client.create.bind(client)),
      joinUrl: client.joinUrl.bind(client),
      end: timed(client.end.bind(client)),
      getMeetingInfo: timed(client.getMeetingInfo.bind(client)),
      getRecordings: timed(client.getRecordings.bind(client)),
      deleteRecordings: timed(client.deleteRecordings.bind(client)),
      sendChatMessage: timed(client.sendChatMessage.bind(client)),
    };
    const notice = loadNotice(config.notice[config.language], config.language, config);
    const chat = new MemoryChat();
    chat.room(ROOM, [chat.botUserId, ...PEOPLE]);
    const ctx = new AppContext(config, stores, chat, bbb, clock, pino({ level: 'silent' }), notice);
    const app = new BotApp(ctx);

    // ---- seed: the bot's database and the simulator hold the same COUNT expired recordings
    const seedStarted = performance.now();
    const started = t - 60 * DAY;
    const sql = db.$client;
    sql
      .prepare('insert into notices (sha256, language, text, first_used_at) values (?, ?, ?, ?)')
      .run(notice.sha256, notice.language, notice.text, started);
    const insertMeeting = sql.prepare(
      `insert into meetings (id, room_id, title, organizer_id, state, no_record, language, notice_sha256,
         command_event_id, created_at, opened_at, opened_by, closed_at)
       values (?, ?, ?, ?, 'closed', 0, 'de', ?, ?, ?, ?, 'all-answered', ?)`,
    );
    const insertInvitee = sql.prepare(
      `insert into invitees (meeting_id, user_id, display_name, is_organizer, added_at, added_by)
       values (?, ?, ?, ?, ?, ?)`,
    );
    const insertConsent = sql.prepare(
      `insert into consent_events (meeting_id, user_id, kind, at, matrix_event_id, reaction_event_id,
         notice_sha256, actor_id, source) values (?, ?, 'agree', ?, ?, ?, ?, ?, 'reaction')`,
    );
    const insertSession = sql.prepare(
      `insert into sessions (id, meeting_id, bbb_meeting_id, internal_meeting_id, create_time, record,
         created_at, confirmed_at, announced_at, ended_at, end_reason)
       values (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, 'ended')`,
    );
    const insertRecording = sql.prepare(
      `insert into recordings (record_id, session_id, meeting_id, state, start_time, discovered_at, ready_at,
         ready_announced_at, delete_after) values (?, ?, ?, 'available', ?, ?, ?, ?, ?)`,
    );
    const seeds: { recordID: string; meetingID: string; name: string; startTime: number }[] = [];
    sql.transaction(() => {
      for (let i = 1; i <= COUNT; i++) {
        const at = started + i * 1000;
        insertMeeting.run(
          i,
          ROOM,
          `Meeting ${i}`,
          PEOPLE[0],
          notice.sha256,
          `$cmd${i}`,
          at,
          at,
          at + 3_600_000,
        );
        for (const [k, userId] of PEOPLE.entries()) {
          insertInvitee.run(i, userId, userId.slice(1, -5), k === 0 ? 1 : 0, at, PEOPLE[0]);
          insertConsent.run(i, userId, at, `$r${i}-${k}`, `$r${i}-${k}`, notice.sha256, userId);
        }
        const bbbMeetingId = `meetbot-${i}-bench`;
        const recordId = `${i.toString(16).padStart(40, '0')}-${at}`;
        insertSession.run(i, i, bbbMeetingId, recordId, String(at), at, at, at, at + 3_600_000);
        insertRecording.run(
          recordId,
          i,
          i,
          at,
          at + 3_700_000,
          at + 3_700_000,
          at + 3_700_000,
          at + 30 * DAY,
        );
        seeds.push({ recordID: recordId, meetingID: bbbMeetingId, name: `Meeting ${i}`, startTime: at });
      }
    })();
    sim.seedRecordings(seeds);
    const seedMs = performance.now() - seedStarted;
    const due = stores.recordings.dueForPurge(t).length;
    if (due !== COUNT) throw new Error(`expected ${COUNT} due, found ${due}`);

    // ---- 1. the purge run
    global.gc?.();
    const before = process.memoryUsage();
    sim.resetRequests();
    const t0 = performance.now();
    const run1 = await withPeakMemory(() => app.retention.run());
    const purgeMs = performance.now() - t0;
    const purgeBbbMs = bbbMs;
    const purgeRequests = countCalls(sim.requests());
    const left = sim.recordings().length;
    const purgedRows = (
      sql.prepare(`select count(*) as n from recordings where state = 'purged'`).get() as { n: number }
    ).n;
    if (run1.result.deleted.length !== COUNT || left !== 0 || purgedRows !== COUNT) {
      throw new Error(
        `purge incomplete: deleted ${run1.result.deleted.length}, failed ${run1.result.failed.length}, ` +
          `left in BBB ${left}, purged rows ${purgedRows}`,
      );
    }

    // ---- 2. the next day: nothing to do
    t += DAY;
    sim.resetRequests();
    const t1 = performance.now();
    const run2 = await app.retention.run();
    const idleMs = performance.now() - t1;
    const idleRequests = sim.requests().length;

    // ---- 3. after evidenceDaysAfterPurge: consent evidence pruned
    t += 366 * DAY;
    const t2 = performance.now();
    const run3 = await app.retention.run();
    const pruneMs = performance.now() - t2;
    const meetingsLeft = (sql.prepare('select count(*) as n from meetings').get() as { n: number }).n;
    const consentLeft = (sql.prepare('select count(*) as n from consent_events').get() as { n: number }).n;
    if (run3.prunedMeetings !== COUNT || meetingsLeft !== 0 || consentLeft !== 0) {
      throw new Error(`prune incomplete: pruned ${run3.prunedMeetings}, meetings left ${meetingsLeft}`);
    }
    await app.close();
    db.$client.close();

    const totalRequests = Object.values(purgeRequests).reduce((a, b) => a + b, 0);
    console.log(`purge benchmark: ${COUNT} expired recordings, real SQLite + BBB simulator over HTTP\n`);
    console.log(`seed (SQLite + simulator): ${seedMs.toFixed(0)} ms\n`);
    table(
      ['run', 'wall time', 'deleted', 'failed', 'pruned meetings', 'BBB requests'],
      [
        [
          '1 purge all expired',
          `${purgeMs.toFixed(0)} ms`,
          run1.result.deleted.length,
          run1.result.failed.length,
          run1.result.prunedMeetings,
          totalRequests,
        ],
        ['2 next day (nothing due)', `${idleMs.toFixed(1)} ms`, run2.deleted.length, 0, 0, idleRequests],
        ['3 prune evidence (+366 d)', `${pruneMs.toFixed(0)} ms`, 0, 0, run3.prunedMeetings, 0],
      ],
    );
    console.log('');
    table(
      ['BBB call (run 1)', 'requests', 'recordings per request'],
      Object.entries(purgeRequests).map(([call, n]) => [call, n, (COUNT / n).toFixed(0)]),
    );
    console.log('');
    table(
      ['memory (run 1)', 'before', 'peak', 'delta'],
      [
        ['heap used', mb(before.heapUsed), mb(run1.heap), mb(run1.heap - before.heapUsed)],
        ['rss', mb(before.rss), mb(run1.rss), mb(run1.rss - before.rss)],
      ],
    );
    console.log('');
    table(
      ['run 1 wall time split', 'ms', 'share'],
      [
        ['waiting for BBB (client, HTTP, simulator)', purgeBbbMs.toFixed(0), pct(purgeBbbMs, purgeMs)],
        [
          'bot: SQLite, audit log, bookkeeping',
          (purgeMs - purgeBbbMs).toFixed(0),
          pct(purgeMs - purgeBbbMs, purgeMs),
        ],
      ],
    );
    console.log(
      `\nthroughput: ${((COUNT / purgeMs) * 1000).toFixed(0)} recordings/s; ` +
        `${(purgeMs / COUNT).toFixed(2)} ms per recording (simulator in the same process)`,
    );
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)} %`;

function countCalls(requests: { call: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of requests) counts[r.call] = (counts[r.call] ?? 0) + 1;
  return counts;
}

function table(head: string[], rows: (string | number)[][]): void {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(line(head));
  console.log(
    `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
  );
  for (const r of cells.slice(1)) console.log(line(r));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
