// The preflight checks in process, against stand-in servers on loopback, the BBB simulator and real
// SQLite files: the cases the e2e suite (real Synapse) cannot produce on demand.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkBbb,
  checkClock,
  checkDatabase,
  checkHomeserver,
  checkNotice,
  checkRooms,
} from '../../../src/check/checks.js';
import { runStartupChecks } from '../../../src/check/startup.js';
import { parseConfig } from '../../../src/config/load.js';
import { openDatabase } from '../../../src/db/open.js';
import { SAMPLE_NOTICE_FACTS } from '../../support/notice-facts.js';
import { tsx } from '../../support/run-to-end.js';
import { json, serve } from '../../support/stand-in-servers.js';
import { SECRET, simulator } from '../bbb/support.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meetbot-check-it-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A config for servers at `homeserverUrl` and `bbbUrl` (nothing listens by default), with `more` on top. */
function config(
  patch: { homeserverUrl?: string; bbbUrl?: string; acceptUnconfirmedDeletion?: boolean } = {},
  more: Record<string, unknown> = {},
) {
  const {
    homeserverUrl = 'http://127.0.0.1:9',
    bbbUrl = 'http://127.0.0.1:9/bigbluebutton/',
    ...bbb
  } = patch;
  return parseConfig(
    {
      matrix: { homeserverUrl, accessToken: 'token' },
      bbb: { url: bbbUrl, secret: SECRET, ...bbb },
      notice: SAMPLE_NOTICE_FACTS,
      database: { path: join(dir, 'bot.db') },
      ...more,
    },
    'test',
    {},
  );
}

/** A check's result: its status, and a message that says `text`. */
const verdict = (status: string, text: string) => ({ status, message: expect.stringContaining(text) });

/** The start-up checks against the servers at `hs` and `sim`. */
const startUp = (
  hs: { url: string },
  sim: { url: string },
  log = pino({ level: 'silent' }),
  options: Parameters<typeof runStartupChecks>[2] = {},
) => runStartupChecks(config({ homeserverUrl: hs.url, bbbUrl: sim.url }), log, options);

/** A homeserver stand-in: versions, whoami, joined rooms; room reads answer per room. */
function homeserver(opts: { date?: string; unreadable?: string[] } = {}): RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (opts.date) res.setHeader('date', opts.date);
    if (url.pathname === '/_matrix/client/versions') return json(res, 200, { versions: ['v1.11'] });
    if (url.pathname === '/_matrix/client/v3/account/whoami') return json(res, 200, { user_id: '@bot:test' });
    if (url.pathname === '/_matrix/client/v3/joined_rooms')
      return json(res, 200, { joined_rooms: ['!a:test', '!b:test'] });
    const room = decodeURIComponent(url.pathname.split('/')[5] ?? '');
    if (opts.unreadable?.includes(room)) return json(res, 403, { errcode: 'M_FORBIDDEN' });
    return json(res, 200, { chunk: [] });
  };
}

describe('homeserver and rooms', () => {
  it('an unreachable homeserver is a warning, a URL that is not a client API a failure', async () => {
    // A port nothing listens on (any more).
    const closed = await serve(() => {});
    await closed.close();
    expect(
      (await checkHomeserver(config({ homeserverUrl: closed.url }), { timeoutMs: 2000 })).result,
    ).toMatchObject(verdict('warn', 'does not answer (ECONNREFUSED)'));
    const web = await serve((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>Not found</h1>');
    });
    expect((await checkHomeserver(config({ homeserverUrl: web.url }))).result).toMatchObject(
      verdict('fail', 'is not a Matrix client-server API (GET /_matrix/client/versions gave HTTP 404)'),
    );
  });

  it('names the rooms the bot cannot read', async () => {
    const hs = await serve(homeserver({ unreadable: ['!b:test'] }));
    expect(await checkRooms(config({ homeserverUrl: hs.url }))).toMatchObject(
      verdict('warn', 'cannot read 1 of 2 rooms: !b:test (M_FORBIDDEN)'),
    );
    const fine = await serve(homeserver());
    expect((await checkRooms(config({ homeserverUrl: fine.url }))).status).toBe('ok');
  });

  it("warns when this machine's clock is off the homeserver's Date header", async () => {
    const late = new Date(Date.now() - 5 * 60_000).toUTCString();
    const hs = await serve(homeserver({ date: late }));
    const outcome = await checkHomeserver(config({ homeserverUrl: hs.url }));
    expect(outcome.result.status).toBe('ok');
    const clock = checkClock(outcome.serverDate);
    expect(clock.status).toBe('warn');
    expect(clock.message).toMatch(/clock is 30\d s ahead of the homeserver's/);
    expect(checkClock({ server: 1_000_000, local: 1_004_000 }).status).toBe('ok');
  });
});

describe('BBB', () => {
  it('passes with the right secret, fails on a URL that is not a BBB API', async () => {
    const sim = await simulator();
    expect(await checkBbb(config({ bbbUrl: sim.url }))).toMatchObject({ status: 'ok' });
    const web = await serve((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    expect(await checkBbb(config({ bbbUrl: `${web.url}/bigbluebutton/` }))).toMatchObject(
      verdict('fail', 'answers HTTP 404: bbb.url does not point at a BBB API'),
    );
  });

  it('names the BBB version, and that deletions can be confirmed (an ID that cannot exist: notFound)', async () => {
    const sim = await simulator();
    const result = await checkBbb(config({ bbbUrl: sim.url }));
    expect(result.status).toBe('ok');
    expect(result.message).toContain('(BBB 3.0.30) accepts the secret');
    expect(result.message).toContain('deletions can be confirmed');
    expect(sim.requests().map((r) => r.call)).toContain('deleteRecordings');
  });
});

describe('BBB behind load balancers', () => {
  it('passes behind Scalelite, saying that no BBB version is shown', async () => {
    const sim = await simulator({ flavour: 'scalelite' });
    const result = await checkBbb(config({ bbbUrl: sim.url }));
    expect(result).toMatchObject({ status: 'ok' });
    expect(result.message).toContain('no BBB version');
  });

  it('fails behind a front-end that answers deletes like b3lb, naming the reason and the switch', async () => {
    const sim = await simulator({ flavour: 'b3lb' });
    const result = await checkBbb(config({ bbbUrl: sim.url }));
    expect(result.status).toBe('fail');
    expect(result.message).toContain('answers SUCCESS to deleting a recording that cannot exist');
    expect(result.message).toContain('bbb.acceptUnconfirmedDeletion');
    const accepted = await checkBbb(config({ bbbUrl: sim.url, acceptUnconfirmedDeletion: true }));
    expect(accepted.status).toBe('ok');
    expect(accepted.message).toContain(
      'no deletion can be confirmed: accepted by bbb.acceptUnconfirmedDeletion',
    );
  });

  it('the start-up checks refuse to start behind it', async () => {
    const sim = await simulator({ flavour: 'b3lb' });
    const hs = await serve(homeserver());
    const checks = await startUp(hs, sim);
    checks.stop();
    expect(checks.failures.map((f) => [f.name, f.status])).toEqual([['bbb', 'fail']]);
    expect(checks.failures[0]?.message).toContain('it cannot confirm deletions');
  });
});

describe('database', () => {
  it('a missing file in a writable folder is fine: it will be created', () => {
    expect(checkDatabase(join(dir, 'sub', 'bot.db'))).toMatchObject(verdict('ok', 'will be created with'));
  });

  it('a migrated database is current; one of a newer version or of something else fails', () => {
    const path = join(dir, 'bot.db');
    openDatabase(path).$client.close();
    expect(checkDatabase(path)).toMatchObject({
      status: 'ok',
      message: expect.stringMatching(/migrations current, writable$/),
    });

    const newer = new Database(path);
    newer
      .prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)')
      .run('future', Date.now() + 1e12);
    newer.close();
    expect(checkDatabase(path)).toMatchObject(verdict('fail', 'was migrated by a newer version of the bot'));

    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('create table customers (id integer)');
    db.close();
    expect(checkDatabase(other).message).toContain('is a SQLite file of something else');

    const text = join(dir, 'notes.db');
    writeFileSync(text, 'this is not a database, just text that is long enough to have a header');
    expect(checkDatabase(text).message).toContain('is not a SQLite database');
  });
});

describe('notice', () => {
  it('passes when every placeholder is filled from the config, and names each gap or unknown one', () => {
    expect(checkNotice(config())).toMatchObject(verdict('ok', 'every placeholder filled'));
    const missing = checkNotice(config({}, { notice: undefined }));
    expect(missing.status).toBe('fail');
    expect(missing.message).toContain('notice.controller: missing');
    const template = join(dir, 'own.txt');
    writeFileSync(
      template,
      'Verantwortliche Stelle: {{controller}}. Datenschutzbeauftragte: {{beauftragter}}',
    );
    expect(checkNotice(config({}, { notice: { ...SAMPLE_NOTICE_FACTS, de: template } }))).toMatchObject(
      verdict('fail', 'uses the unknown placeholder {{beauftragter}}'),
    );
  });
});

describe('npm run check with a broken config', () => {
  it('prints one FAIL line naming each bad key, and exits 1', { timeout: 30_000 }, async () => {
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({ matrix: { homeserverUrl: 'not a url', accessToken: 't' }, bbb: { secert: 'x' } }),
    );
    const failed = await tsx('src/check/cli.ts', ['--config', file]);
    expect(failed.code).toBe(1);
    const lines = failed.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^FAIL {2}config {5}Invalid configuration in .*config\.json: - /);
    expect(lines[0]).toContain('matrix.homeserverUrl: expected an http(s) URL');
    expect(lines[0]).toContain('unknown key in bbb: "secert"');
  });
});

describe('at start-up', () => {
  /** A homeserver that drops every connection for its first 300 ms, then answers. */
  async function homeserverUpLater() {
    const since = Date.now();
    const up = () => Date.now() - since >= 300;
    const answer = homeserver();
    return { up, ...(await serve((req, res) => (up() ? answer(req, res) : req.socket.destroy()))) };
  }

  it('waits for an unreachable homeserver instead of giving up, then starts', async () => {
    const hs = await homeserverUpLater();
    const sim = await simulator();
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (l: string) => lines.push(l) });
    const checks = await startUp(hs, sim, log, { retryMs: 50 });
    checks.stop();
    expect(checks.failures).toEqual([]);
    expect(lines.filter((l) => l.includes('trying again')).length).toBeGreaterThan(0);
  });

  it('asks BBB while it waits for the homeserver, not after', async () => {
    const hs = await homeserverUpLater();
    const sim = await simulator();
    const bbbAskedWhileDown: boolean[] = [];
    const recording: typeof fetch = (input, init) => {
      if (String(input).startsWith(sim.url)) bbbAskedWhileDown.push(!hs.up());
      return fetch(input, init);
    };
    const checks = await startUp(hs, sim, undefined, { retryMs: 50, fetch: recording });
    checks.stop();
    expect(checks.failures).toEqual([]);
    expect(bbbAskedWhileDown[0]).toBe(true);
  });

  it('logs an unreachable BBB as a warning and says so when it answers again', async () => {
    const sim = await simulator();
    sim.faults.set({ refuseConnections: true });
    const hs = await serve(homeserver());
    const lines: { msg: string; level: number }[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l)) });
    const checks = await startUp(hs, sim, log, { bbbRetryMs: 50 });
    expect(checks.failures).toEqual([]);
    expect(lines.find((l) => l.msg.includes('unreachable for now'))?.level).toBe(40);
    sim.faults.clear();
    await expect
      .poll(() => lines.some((l) => l.msg.startsWith('BBB answers now')), { timeout: 5000 })
      .toBe(true);
    checks.stop();
  });

  it('stops at the first certainly-wrong item without asking the servers', async () => {
    const missing = config({}, { notice: { ...SAMPLE_NOTICE_FACTS, de: join(dir, 'missing.txt') } });
    const checks = await runStartupChecks(missing, pino({ level: 'silent' }), { retryMs: 10_000 });
    expect(checks.failures.map((f) => f.name)).toEqual(['notice']);
  });
});
