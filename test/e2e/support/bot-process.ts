// The bot under test as a separate OS process (`node --import tsx src/main.ts --config <file>`), exactly
// as it runs in production: its own event loop, its own crash, its own SIGTERM handling.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  type WriteStream,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import type { configSchema } from '../../../src/config/schema.js';
import { SAMPLE_NOTICE_FACTS } from '../../support/notice-facts.js';
import type { TestUser } from './homeserver.js';
import { REPO_ROOT } from './homeserver-lifecycle.js';
import { cleanEnv } from './run.js';

/** The config file the bot reads: the schema's own input type, so tests cannot drift from it. */
export type E2eBotConfig = z.input<typeof configSchema> & {
  matrix: { homeserverUrl: string; accessToken: string };
  bbb: { url: string; secret: string };
};

export type DeepPartial<T> = T extends unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

export interface StartBotOptions {
  homeserverUrl: string;
  /** The bot's Matrix account, registered like any test user. */
  botUser: TestUser;
  /** Deep-merged over the defaults; arrays replace, undefined leaves the default. */
  config?: DeepPartial<E2eBotConfig>;
  /** Default 30 000 ms. */
  readyTimeoutMs?: number;
  /** Extra environment for the bot process. */
  env?: Record<string, string>;
  /**
   * `source` (default): `node --import tsx src/main.ts`, what `npm start` runs; `compiled`: `node
   * dist/src/main.js` after `npm run build`; `npm`: `npm start` itself (scripts/node-runtime.sh, signals
   * through npm); `npm-prod`: `npm run start:prod` (after `npm run build`), the same way.
   */
  entry?: 'source' | 'compiled' | 'npm' | 'npm-prod';
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const MAIN = join(REPO_ROOT, 'src/main.ts');
const READY_MSG = 'bot ready';
const TAIL_LINES = 40;

export function deepMerge<T>(base: T, patch: DeepPartial<T> | undefined): T {
  if (patch === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v !== undefined) out[k] = deepMerge(out[k], v as never);
  }
  return out as T;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function defaultBotConfig(homeserverUrl: string, botUser: TestUser, dir: string): E2eBotConfig {
  const server = botUser.serverName;
  return {
    matrix: {
      homeserverUrl,
      accessToken: botUser.accessToken,
      commandPrefix: '!',
      allowedInviters: [`@*:${server}`],
      joinLinkDelivery: 'direct',
      // The harness's users (raw HTTP) cannot decrypt, and with encryption on the DM rooms carrying
      // links are encrypted. Suites with encrypting users (matrix-js-sdk) switch it on.
      encryption: false,
    },
    admins: [`@admin:${server}`],
    language: 'de',
    // Most suites drive the prompt in the room; private prompts (the default) have their own suite.
    consent: { ask: 'room' },
    // Port 9 (discard) refuses connections: tests needing BBB override this with the simulator.
    bbb: {
      url: 'http://127.0.0.1:9/bigbluebutton/',
      secret: randomBytes(16).toString('hex'),
      checksumAlgorithm: 'sha256',
    },
    retention: { recordingDays: 30, evidenceDaysAfterPurge: 365, purgeSchedule: '*/5 * * * *' },
    // Absolute: the config file lives in a temp dir, whatever the bot resolves relative paths against.
    notice: {
      de: join(REPO_ROOT, 'notices/privacy-notice.de.txt'),
      en: join(REPO_ROOT, 'notices/privacy-notice.en.txt'),
      ...SAMPLE_NOTICE_FACTS,
    },
    database: { path: join(dir, 'bot.db') },
    logLevel: 'debug',
  };
}

// A test run that dies must not leave bots behind that keep answering on the shared homeserver.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

type LineWaiter = { match: (line: string) => boolean; resolve: (line: string) => void };

export class BotProcess {
  /** Temp dir holding config.json, bot.log and (by default) bot.db. */
  readonly dir: string;
  readonly configPath: string;
  readonly logPath: string;
  readonly config: E2eBotConfig;
  private child: ChildProcess | undefined;
  private exited: Promise<ExitInfo> | undefined;
  private readonly output: string[] = [];
  private waiters: LineWaiter[] = [];
  private logFile: WriteStream;
  private readonly extraEnv: Record<string, string>;

  private constructor(opts: StartBotOptions) {
    this.extraEnv = opts.env ?? {};
    this.command =
      opts.entry === 'npm'
        ? ['npm', 'start', '--']
        : opts.entry === 'npm-prod'
          ? ['npm', 'run', 'start:prod', '--']
          : opts.entry === 'compiled'
            ? [process.execPath, 'dist/src/main.js']
            : [process.execPath, '--import', 'tsx', 'src/main.ts'];
    this.dir = mkdtempSync(join(tmpdir(), 'meetbot-e2e-'));
    this.configPath = join(this.dir, 'config.json');
    this.logPath = join(this.dir, 'bot.log');
    this.config = deepMerge<E2eBotConfig>(
      defaultBotConfig(opts.homeserverUrl, opts.botUser, this.dir),
      opts.config,
    );
    // Private like the operator's: the config holds the bot's token, the log join links.
    writeFileSync(this.configPath, `${JSON.stringify(this.config, null, 2)}\n`, { mode: 0o600 });
    this.logFile = createWriteStream(this.logPath, { flags: 'a', mode: 0o600 });
  }

  /** Writes the config, spawns the bot and resolves once it logged "bot ready". */
  static async start(opts: StartBotOptions): Promise<BotProcess> {
    const bot = new BotProcess(opts);
    try {
      await bot.spawn(opts.readyTimeoutMs ?? 30_000);
    } catch (err) {
      await bot.kill();
      throw err;
    }
    return bot;
  }

  /** The bot's files and config, not started yet: the first restart() starts it. */
  static prepare(opts: StartBotOptions): BotProcess {
    return new BotProcess(opts);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** All stdout/stderr lines so far (pino JSON lines, plus anything else the process printed). */
  lines(): readonly string[] {
    return this.output;
  }

  /** The lines that parse as JSON log records. */
  records(): Record<string, unknown>[] {
    return this.output.flatMap((l) => {
      try {
        const r = JSON.parse(l) as unknown;
        return isPlainObject(r) ? [r] : [];
      } catch {
        return [];
      }
    });
  }

  /** The log records with this message (or one the pattern matches), oldest first. */
  logged(msg: string | RegExp): Record<string, unknown>[] {
    return this.records().filter((r) => (typeof msg === 'string' ? r.msg === msg : msg.test(String(r.msg))));
  }

  /** Edits the config file as the operator would (`patch` deep-merged in); the next start reads it. */
  editConfig(patch: DeepPartial<E2eBotConfig>): void {
    const config = deepMerge(JSON.parse(readFileSync(this.configPath, 'utf8')) as E2eBotConfig, patch);
    writeFileSync(this.configPath, JSON.stringify(config));
  }

  tail(n = TAIL_LINES): string {
    return this.output.slice(-n).join('\n');
  }

  /**
   * Resolves with the first line (already printed or upcoming) matching `match`
   * (substring or predicate); rejects on timeout or process exit, quoting the log tail.
   */
  waitForLog(
    match: string | ((line: string) => boolean),
    opts: { timeoutMs?: number; description?: string } = {},
  ): Promise<string> {
    const fn = typeof match === 'string' ? (l: string) => l.includes(match) : match;
    const already = this.output.find(fn);
    if (already !== undefined) return Promise.resolve(already);
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const what = opts.description ?? (typeof match === 'string' ? JSON.stringify(match) : 'matching line');
    return new Promise((resolve, reject) => {
      const waiter: LineWaiter = {
        match: fn,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      const fail = (why: string) => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`bot log: no ${what} ${why}. Log ${this.logPath}, last lines:\n${this.tail()}`));
      };
      const timer = setTimeout(() => fail(`within ${timeoutMs} ms`), timeoutMs);
      this.waiters.push(waiter);
      this.exited?.then((info) => {
        if (this.waiters.includes(waiter))
          fail(`before the process exited (code ${info.code}, ${info.signal})`);
      });
    });
  }

  /** Resolves when the current process exits (at once when none was started). */
  whenExited(): Promise<ExitInfo> {
    return this.exited ?? Promise.resolve({ code: null, signal: null });
  }

  /** SIGTERM and wait for the exit (SIGKILL after `graceMs`). */
  async stop(graceMs = 10_000): Promise<ExitInfo> {
    const child = this.child;
    if (!child || !this.exited) return { code: null, signal: null };
    if (this.running) child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.note(`did not exit ${graceMs} ms after SIGTERM: SIGKILL`);
        child.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, killed]);
    const info = await this.exited;
    clearTimeout(timer);
    return info;
  }

  /** SIGKILL (a crash) and wait for the exit. */
  async kill(): Promise<ExitInfo> {
    if (!this.child || !this.exited) return { code: null, signal: null };
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** stop(), then delete the crypto store (the bot's encryption keys), as a lost disk would. */
  async stopAndLoseKeys(): Promise<void> {
    await this.stop();
    rmSync(join(this.dir, 'crypto'), { recursive: true, force: true });
  }

  /** stop() (if running) then start again with the same config and database. */
  async restart(opts: { readyTimeoutMs?: number } = {}): Promise<void> {
    await this.stop();
    await this.spawn(opts.readyTimeoutMs ?? 30_000);
  }

  /** stop() and delete the temp dir (keep it with keepFiles to read bot.log afterwards). */
  async dispose(opts: { keepFiles?: boolean } = {}): Promise<void> {
    await this.stop();
    await new Promise<void>((resolve) => this.logFile.end(resolve));
    if (!opts.keepFiles) rmSync(this.dir, { recursive: true, force: true });
  }

  /** The program and its arguments, before `--config <file>`. */
  private readonly command: string[];

  private async spawn(readyTimeoutMs: number): Promise<void> {
    if (!existsSync(MAIN)) throw new Error(`cannot start the bot: ${MAIN} does not exist`);
    const readyFrom = this.output.length; // after a restart, only a fresh "bot ready" counts
    const [program = process.execPath, ...args] = this.command;
    this.note(
      `spawn ${program === process.execPath ? 'node' : program} ${args.join(' ')} --config ${this.configPath}`,
    );
    const child = spawn(program, [...args, '--config', this.configPath], {
      cwd: REPO_ROOT,
      env: cleanEnv({ NODE_ENV: 'test', ...this.extraEnv }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    live.add(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        this.note(`exited code=${code} signal=${signal}`);
        resolve({ code, signal });
      });
      child.once('error', (err) => {
        live.delete(child);
        this.note(`spawn error: ${err.message}`);
        resolve({ code: null, signal: null });
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream)
        createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (l) =>
          this.push(l),
        );
    }
    await this.waitForLog((line) => this.output.indexOf(line, readyFrom) >= 0 && isReadyLine(line), {
      timeoutMs: readyTimeoutMs,
      description: `"msg":"${READY_MSG}" line`,
    }).catch((err: Error) => {
      throw new Error(`bot did not become ready: ${err.message}`);
    });
  }

  private push(line: string): void {
    this.output.push(line);
    // Output can still trickle in after dispose() closed the file (stdout closes after 'exit').
    if (!this.logFile.writableEnded) this.logFile.write(`${line}\n`);
    for (const w of [...this.waiters]) {
      if (w.match(line)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(line);
      }
    }
  }

  /** Harness notes go into the same log, marked, so the log reads as one story. */
  private note(text: string): void {
    this.push(`[harness ${new Date().toISOString()}] ${text}`);
  }
}

function isReadyLine(line: string): boolean {
  if (!line.includes(READY_MSG)) return false;
  try {
    return (JSON.parse(line) as { msg?: unknown }).msg === READY_MSG;
  } catch {
    return false;
  }
}

/** Starts the bot process; see BotProcess. */
export function startBot(opts: StartBotOptions): Promise<BotProcess> {
  return BotProcess.start(opts);
}
