import { randomBytes } from 'node:crypto';
import { existsSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { BbbClient, BbbError, BbbUnavailableError, type ChecksumAlgorithm } from '../bbb/index.js';
import { ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { readMigrationFiles } from '../db/drizzle.js';
import { MIGRATIONS_FOLDER } from '../db/open.js';
import { jsonOf, networkReason } from '../fetch-answers.js';
import { loadNotice } from '../notice.js';
import { checkEncryption } from './encryption.js';
import { checkMemory } from './memory.js';
import { checkInviters } from './settings.js';

/**
 * The preflight checks (`npm run check`, and the same at start-up). Each looks at one thing without
 * changing anything outside (the database check writes and removes one empty probe file; the BBB check
 * asks BBB to delete a recording that cannot exist) and says what is wrong and how to fix it.
 *
 * - `ok`: fine.
 * - `fail`: certainly wrong (a rejected token, BBB's checksumError, a missing or unfilled notice, an
 *   unwritable database): the bot refuses to start.
 * - `warn`: may pass later (a server unreachable for now) or deserves attention (clock skew, rooms the
 *   bot cannot read): the bot starts anyway and logs it.
 * - `note`: worth knowing about how it runs (jemalloc not preloaded), not wrong: `npm run check` still
 *   passes; the bot logs it at start.
 */
export type CheckStatus = 'ok' | 'note' | 'warn' | 'fail';

export type CheckName =
  | 'config'
  | 'homeserver'
  | 'inviters'
  | 'rooms'
  | 'bbb'
  | 'notice'
  | 'database'
  | 'clock'
  | 'encryption'
  | 'memory';

export interface CheckResult {
  name: CheckName;
  status: CheckStatus;
  /** One line: what was found and, when not ok, how to fix it. Never contains a secret. */
  message: string;
  /** When the problem is in the configuration: each bad key, as a ConfigError names them. */
  configProblems?: string[];
}

export interface CheckOptions {
  /** Per request. Default 10 000 ms. */
  timeoutMs?: number;
  /** Clock skew above this is reported. Default 30 s. */
  maxClockSkewMs?: number;
  /** At most this many rooms are read. Default 200. */
  maxRooms?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

const ALGORITHMS: ChecksumAlgorithm[] = ['sha256', 'sha512', 'sha1', 'sha384'];

/** Runs every check after the config (which the caller loaded) and returns one result per item. */
export async function runChecks(config: Config, options: CheckOptions = {}): Promise<CheckResult[]> {
  const homeserver = await checkHomeserver(config, options);
  const [bbb, rooms] = await Promise.all([
    checkBbb(config, options),
    homeserver.result.status === 'ok'
      ? checkRooms(config, options)
      : Promise.resolve<CheckResult>({
          name: 'rooms',
          status: 'warn',
          message: 'not checked: the homeserver check did not pass',
        }),
  ]);
  return [
    homeserver.result,
    ...(homeserver.userId ? [checkInviters(config, homeserver.userId)] : []),
    rooms,
    bbb,
    checkNotice(config),
    checkDatabase(config.database.path),
    checkClock(homeserver.serverDate, options),
    homeserver.result.status === 'ok'
      ? await checkEncryption(config, options.fetch)
      : { name: 'encryption', status: 'warn', message: 'not checked: the homeserver check did not pass' },
    checkMemory(),
  ];
}

// ---------------------------------------------------------------------------------------------------
// Homeserver: it answers, and the access token belongs to a user (whoami).

interface HomeserverOutcome {
  result: CheckResult;
  /** The homeserver's Date header (epoch ms, 1 s resolution) and when we read it. */
  serverDate?: { server: number; local: number };
  /** The bot's user ID, when the homeserver confirmed the token. */
  userId?: string;
}

export async function checkHomeserver(
  config: Config,
  options: CheckOptions = {},
): Promise<HomeserverOutcome> {
  const base = config.matrix.homeserverUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const fail = (status: CheckStatus, message: string): HomeserverOutcome => ({
    result: { name: 'homeserver', status, message },
  });

  let versions: Response;
  try {
    versions = await doFetch(`${base}/_matrix/client/versions`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return fail(
      'warn',
      `${base} does not answer (${networkReason(error, timeoutMs)}): check matrix.homeserverUrl and that the homeserver runs and is reachable from here`,
    );
  }
  const dateHeader = versions.headers.get('date');
  const serverDate = dateHeader ? { server: Date.parse(dateHeader), local: now() } : undefined;
  const versionsBody = await jsonOf(versions);
  if (versions.status >= 500) {
    return fail(
      'warn',
      `${base} answers HTTP ${versions.status}: the homeserver has a problem; try again later`,
    );
  }
  const known = Array.isArray(versionsBody?.versions) ? (versionsBody.versions as string[]) : null;
  if (!versions.ok || !known) {
    return {
      ...fail(
        'fail',
        `${base} is not a Matrix client-server API (GET /_matrix/client/versions gave HTTP ${versions.status}): set matrix.homeserverUrl to the client API base, e.g. https://matrix.example.org`,
      ),
      ...(serverDate ? { serverDate } : {}),
    };
  }

  let whoami: Response;
  try {
    whoami = await doFetch(`${base}/_matrix/client/v3/account/whoami`, {
      headers: { authorization: `Bearer ${config.matrix.accessToken}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return {
      ...fail('warn', `${base} answered, then whoami failed (${networkReason(error, timeoutMs)}); try again`),
      ...(serverDate ? { serverDate } : {}),
    };
  }
  const body = await jsonOf(whoami);
  const errcode = typeof body?.errcode === 'string' ? body.errcode : `HTTP ${whoami.status}`;
  let result: CheckResult;
  if (whoami.status === 401 || whoami.status === 403) {
    result = {
      name: 'homeserver',
      status: 'fail',
      message: `${base} rejects the access token (${errcode}): log in as the bot account again (POST /_matrix/client/v3/login) and put the new token in matrix.accessToken or MATRIX_ACCESS_TOKEN`,
    };
  } else if (!whoami.ok || typeof body?.user_id !== 'string') {
    result = {
      name: 'homeserver',
      status: whoami.status === 429 || whoami.status >= 500 ? 'warn' : 'fail',
      message: `${base}: whoami failed (${errcode}); try again later or check the homeserver's logs`,
    };
  } else if (body.is_guest === true) {
    result = {
      name: 'homeserver',
      status: 'fail',
      message: `the access token belongs to the guest ${body.user_id}: create a real account for the bot`,
    };
  } else {
    const newest = known.at(-1) ?? '?';
    const result: CheckResult = {
      name: 'homeserver',
      status: 'ok',
      message: `${base} answers (spec ${newest}); the access token belongs to ${body.user_id}`,
    };
    return { result, userId: body.user_id, ...(serverDate ? { serverDate } : {}) };
  }
  return { result, ...(serverDate ? { serverDate } : {}) };
}

// ---------------------------------------------------------------------------------------------------
// Rooms: every joined room can be read (one event back).

export async function checkRooms(config: Config, options: CheckOptions = {}): Promise<CheckResult> {
  const base = config.matrix.homeserverUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const headers = { authorization: `Bearer ${config.matrix.accessToken}` };
  try {
    const res = await doFetch(`${base}/_matrix/client/v3/joined_rooms`, {
      headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await jsonOf(res);
    if (!res.ok || !Array.isArray(body?.joined_rooms)) {
      return { name: 'rooms', status: 'warn', message: `cannot list the joined rooms (HTTP ${res.status})` };
    }
    const rooms = (body.joined_rooms as string[]).slice(0, options.maxRooms ?? 200);
    if (rooms.length === 0) {
      return { name: 'rooms', status: 'ok', message: 'the bot is in no room yet: invite it into one' };
    }
    const unreadable: string[] = [];
    for (const roomId of rooms) {
      const read = await doFetch(
        `${base}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=1`,
        { headers, signal: AbortSignal.timeout(timeoutMs) },
      );
      const answer = await jsonOf(read);
      if (!read.ok) unreadable.push(`${roomId} (${String(answer?.errcode ?? `HTTP ${read.status}`)})`);
    }
    const total = (body.joined_rooms as string[]).length;
    const scope = total > rooms.length ? `the first ${rooms.length} of ${total}` : `all ${total}`;
    if (unreadable.length === 0) {
      return { name: 'rooms', status: 'ok', message: `reads ${scope} joined room${total === 1 ? '' : 's'}` };
    }
    return {
      name: 'rooms',
      status: 'warn',
      message: `cannot read ${unreadable.length} of ${rooms.length} rooms: ${unreadable.slice(0, 5).join(', ')}${unreadable.length > 5 ? ', …' : ''}; invite the bot again or let it leave them`,
    };
  } catch (error) {
    return {
      name: 'rooms',
      status: 'warn',
      message: `could not read the rooms (${networkReason(error, timeoutMs)}); try again`,
    };
  }
}

// ---------------------------------------------------------------------------------------------------
// BBB: a signed read-only call proves the URL, the secret and the checksum algorithm; the API root names the
// version; deleting an ID that cannot exist shows whether deletions can be confirmed.

export async function checkBbb(config: Config, options: CheckOptions = {}): Promise<CheckResult> {
  const client = (algorithm: ChecksumAlgorithm) =>
    new BbbClient({
      url: config.bbb.url,
      secret: config.bbb.secret,
      algorithm,
      timeoutMs: options.timeoutMs ?? config.bbb.timeoutMs,
      retries: 0,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  const configured = config.bbb.checksumAlgorithm;
  const bbb = client(configured);
  try {
    const meetings = await bbb.getMeetings();
    const server = await serverName(bbb);
    const accepted = `${bbb.apiBase} (${server}) accepts the secret with ${configured} (getMeetings: ${meetings.length} running)`;
    return await checkDeletion(bbb, accepted, config.bbb.acceptUnconfirmedDeletion);
  } catch (error) {
    if (error instanceof BbbError && error.messageKey === 'checksumError') {
      // A wrong secret and a refused algorithm look the same (reference §2.2). Try the others with the
      // same secret: if one is accepted, the secret is right and the algorithm is the problem.
      for (const other of ALGORITHMS.filter((a) => a !== configured)) {
        try {
          await client(other).getMeetings();
          return {
            name: 'bbb',
            status: 'fail',
            message: `BBB refuses checksums made with ${configured} (checksumError) but accepts ${other} with the same secret: set bbb.checksumAlgorithm to "${other}"`,
          };
        } catch {
          // not this one either
        }
      }
      return {
        name: 'bbb',
        status: 'fail',
        message: `BBB refuses the checksum (checksumError): bbb.secret (or BBB_SECRET) is wrong; \`bbb-conf --secret\` on the BBB server prints the right one (for Scalelite: its LOADBALANCER_SECRET)`,
      };
    }
    if (error instanceof BbbError) {
      return {
        name: 'bbb',
        status: 'fail',
        message: `${bbb.apiBase} answered getMeetings with ${error.messageKey}: check bbb.url and the server's API settings`,
      };
    }
    if (error instanceof BbbUnavailableError) {
      if (error.kind === 'http' && error.status !== undefined && error.status < 500) {
        return {
          name: 'bbb',
          status: 'fail',
          message: `${bbb.apiBase} answers HTTP ${error.status}: bbb.url does not point at a BBB API; use the base that \`bbb-conf --secret\` prints, e.g. https://bbb.example.org/bigbluebutton/`,
        };
      }
      return {
        name: 'bbb',
        status: 'warn',
        message: `${bbb.apiBase} is unreachable for now (${error.kind}${error.status ? ` ${error.status}` : ''}): meetings cannot open until BBB answers; check bbb.url and the BBB server`,
      };
    }
    throw error;
  }
}

/** "BBB 3.0.30", or what a load balancer (no BBB version, reference §1) lets one know. */
async function serverName(bbb: BbbClient): Promise<string> {
  const { bbbVersion } = await bbb.features();
  return bbbVersion
    ? `BBB ${bbbVersion}`
    : 'no BBB version: a load balancer such as Scalelite, or its root is hidden';
}

/**
 * Deletes a recording ID that cannot exist (reference §6.1): BBB and Scalelite answer notFound, so their answers
 * to deletions mean something. A front-end that answers SUCCESS (b3lb) would have every deletion reported as done
 * without one happening: refused, unless the operator accepted it (and the notice then promises no deletion).
 */
async function checkDeletion(
  bbb: BbbClient,
  accepted: string,
  acceptUnconfirmed: boolean,
): Promise<CheckResult> {
  let outcome: 'confirms' | 'cannot-confirm';
  try {
    outcome = await bbb.probeDeletion();
  } catch (error) {
    const why =
      error instanceof BbbError
        ? error.messageKey
        : error instanceof BbbUnavailableError
          ? error.kind
          : String(error);
    return {
      name: 'bbb',
      status: 'warn',
      message: `${accepted}; deleting a recording that cannot exist gave ${why}, so whether deletions can be confirmed is not known yet`,
    };
  }
  if (outcome === 'confirms') {
    return {
      name: 'bbb',
      status: 'ok',
      message: `${accepted}; deletions can be confirmed (notFound for an ID that cannot exist)`,
    };
  }
  if (acceptUnconfirmed) {
    return {
      name: 'bbb',
      status: 'ok',
      message: `${accepted}; it answers SUCCESS to deleting a recording that cannot exist, so no deletion can be confirmed: accepted by bbb.acceptUnconfirmedDeletion, the notice says the bot cannot delete recordings there`,
    };
  }
  return {
    name: 'bbb',
    status: 'fail',
    message: `${accepted}, but it answers SUCCESS to deleting a recording that cannot exist (as b3lb does): it cannot confirm deletions, and the bot would report recordings deleted that never were. Use BBB or Scalelite, or set bbb.acceptUnconfirmedDeletion to true to accept that the bot cannot delete recordings there`,
  };
}

// ---------------------------------------------------------------------------------------------------
// Notice: the file of the configured language is readable and every placeholder is filled from the config.

export function checkNotice(config: Config): CheckResult {
  const key = `notice.${config.language}`;
  const file = config.notice[config.language];
  const path = resolve(file);
  try {
    // The same loading as at start-up: fills {{placeholders}} from notice.* and refuses gaps.
    const notice = loadNotice(path, config.language, config);
    return {
      name: 'notice',
      status: 'ok',
      message: `${key} (${file}): version ${notice.sha256.slice(0, 12)}, ${notice.text.length} characters, every placeholder filled`,
    };
  } catch (error) {
    if (error instanceof ConfigError) {
      return {
        name: 'notice',
        status: 'fail',
        message: `${key} (${path}): ${error.problems.join('; ')}`,
        configProblems: error.problems,
      };
    }
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'not found'
        : code === 'EACCES'
          ? "not readable by the bot's user"
          : code === 'EISDIR'
            ? 'is a folder'
            : (error as Error).message;
    return {
      name: 'notice',
      status: 'fail',
      message: `${key} (${path}): ${why}; put the organisation's privacy notice there or point ${key} at it`,
    };
  }
}

// ---------------------------------------------------------------------------------------------------
// Database: opens, migrations current, file and folder writable (SQLite writes -wal/-shm beside it).

export function checkDatabase(file: string): CheckResult {
  const fail = (message: string): CheckResult => ({ name: 'database', status: 'fail', message });
  if (file === ':memory:') return { name: 'database', status: 'ok', message: 'in memory (nothing is kept)' };
  const path = resolve(file);
  let folder = dirname(path);
  const missing: string[] = [];
  while (!existsSync(folder)) {
    missing.push(folder);
    const up = dirname(folder);
    if (up === folder) break;
    folder = up;
  }
  if (!statSync(folder).isDirectory())
    return fail(`${folder} is not a folder: set database.path to a file in a folder`);
  const probe = resolve(folder, `.meetbot-check-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return fail(
      `cannot write in ${folder} (${code}): the bot ${missing.length ? 'must create its database folder there' : 'writes the database and its -wal/-shm files there'}; give the bot's user write access (chown/chmod) or set database.path to a writable place`,
    );
  }
  const known = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  if (!existsSync(path)) {
    return {
      name: 'database',
      status: 'ok',
      message: `${file} does not exist yet: it will be created with ${known.length} migrations at start-up`,
    };
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const hasTable = db
      .prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'")
      .get();
    const applied = hasTable
      ? (db.prepare('select created_at as at from __drizzle_migrations order by created_at').all() as {
          at: number;
        }[])
      : [];
    const last = applied.at(-1)?.at ?? 0;
    const newest = known.at(-1)?.folderMillis ?? 0;
    if (last > newest) {
      return fail(
        `${file} was migrated by a newer version of the bot than this one: run that version, or restore a backup made for this one`,
      );
    }
    const pending = known.filter((m) => m.folderMillis > last).length;
    const tables = (
      db.prepare("select count(*) as n from sqlite_master where type = 'table'").get() as { n: number }
    ).n;
    if (!hasTable && tables > 0) {
      return fail(
        `${file} is a SQLite file of something else (${tables} tables, no migrations): point database.path at the bot's own file`,
      );
    }
    const unwritable = writeProbe(path);
    if (unwritable) return fail(unwritable);
    return {
      name: 'database',
      status: 'ok',
      message:
        pending === 0
          ? `${file}: opens, ${applied.length} migrations current, writable`
          : `${file}: opens, writable; ${pending} of ${known.length} migrations pending (applied at start-up)`,
    };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB')
      return fail(`${file} is not a SQLite database: point database.path at the bot's database`);
    return fail(
      `${file} does not open (${code ?? (error as Error).message}): check the file and its permissions`,
    );
  } finally {
    db?.close();
  }
}

/** Opens the file for writing without writing to it; returns a problem or null. */
function writeProbe(path: string): string | null {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: true, timeout: 2000 });
    // A write lock proves the file (and the folder, for the journal) can be written; nothing changes.
    db.exec('begin immediate; rollback');
    return null;
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    // Locked by the running bot: it is being written, so it is writable.
    if (code === 'SQLITE_BUSY') return null;
    return `${path} cannot be written (${code}): give the bot's user write access to it`;
  } finally {
    db?.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Clock: not far off the homeserver's (its Date header).

export function checkClock(
  serverDate: { server: number; local: number } | undefined,
  options: CheckOptions = {},
): CheckResult {
  if (!serverDate || Number.isNaN(serverDate.server)) {
    return { name: 'clock', status: 'warn', message: 'not checked: no Date header from the homeserver' };
  }
  const max = options.maxClockSkewMs ?? 30_000;
  // The header has 1 s resolution and was made before we read it.
  const skew = serverDate.local - serverDate.server;
  const seconds = Math.round(Math.abs(skew) / 1000);
  if (Math.abs(skew) <= max + 1000) {
    return { name: 'clock', status: 'ok', message: `within ${Math.max(1, seconds)} s of the homeserver's` };
  }
  return {
    name: 'clock',
    status: 'warn',
    message: `this machine's clock is ${seconds} s ${skew > 0 ? 'ahead of' : 'behind'} the homeserver's: --at times, retention dates and evidence times would be off; enable time sync (e.g. \`timedatectl set-ntp true\`)`,
  };
}
