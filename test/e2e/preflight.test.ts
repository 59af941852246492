// The preflight check (`npm run check`) against the real Synapse and the BBB simulator: a pass on a good
// config, and each failure named with its fix. Then the same checks at bot start-up: what is certainly
// wrong stops the start with the same line; an unreachable BBB only warns.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BbbSimulator, startBbbSimulator } from '../support/bbb-simulator.js';
import {
  type BotProcess,
  type DeepPartial,
  deepMerge,
  defaultBotConfig,
  type E2eBotConfig,
  startBot,
} from './support/bot-process.js';
import { e2eHomeserver } from './support/context.js';
import type { TestUser } from './support/homeserver.js';
import { REPO_ROOT } from './support/homeserver-lifecycle.js';
import { CHECKS, type Run, runCheck, runCommand } from './support/run.js';

const hs = e2eHomeserver();
const SECRET = 'preflight-secret-0123456789';
const isRoot = process.getuid?.() === 0;
const NOBODY = { uid: 65534, gid: 65534 };

/**
 * Root may write anywhere, so the read-only case runs the check as an unprivileged user, as the service
 * would run. That user must be able to run this Node and read the checkout (not so when either lives
 * in root's 0700 home): null when it can, else why not.
 */
function unprivilegedRunBlocked(): string | null {
  const probe = spawnSync(
    process.execPath,
    ['-e', `require('node:fs').accessSync(${JSON.stringify(join(REPO_ROOT, 'src/check/cli.ts'))})`],
    { cwd: REPO_ROOT, ...NOBODY, stdio: 'ignore' },
  );
  return probe.status === 0 ? null : `uid 65534 cannot run ${process.execPath} on ${REPO_ROOT}`;
}

describe.skipIf(!hs)('npm run check', () => {
  let botUser: TestUser;
  let sim: BbbSimulator;
  let sha512Only: BbbSimulator;
  let b3lb: BbbSimulator;
  let dir: string;
  let n = 0;

  beforeAll(async () => {
    botUser = await hs!.registerUser('meetbot-check');
    await botUser.createRoom({ name: 'preflight room' });
    sim = await startBbbSimulator({ secret: SECRET });
    sha512Only = await startBbbSimulator({ secret: SECRET, algorithms: ['sha512'] });
    b3lb = await startBbbSimulator({ secret: SECRET, flavour: 'b3lb' });
    dir = mkdtempSync(join(tmpdir(), 'meetbot-check-'));
    chmodSync(dir, 0o755); // readable by the unprivileged user of the read-only test
  });
  afterAll(async () => {
    await sim?.close();
    await sha512Only?.close();
    await b3lb?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function writeConfig(patch: DeepPartial<E2eBotConfig> = {}, mode = 0o600): string {
    n += 1;
    const base = defaultBotConfig(hs!.url, botUser, dir);
    const config = deepMerge<E2eBotConfig>(
      {
        ...base,
        bbb: { url: sim.url, secret: SECRET, checksumAlgorithm: 'sha256' },
        database: { path: join(dir, `bot-${n}.db`) },
      },
      patch,
    );
    const file = join(dir, `config-${n}.json`);
    writeFileSync(file, JSON.stringify(config, null, 2), { mode });
    return file;
  }

  it('passes a good config: one OK line per item, exit 0', async () => {
    const run = await runCheck(writeConfig());
    expect([...run.lines.keys()]).toEqual(CHECKS);
    for (const [name, line] of run.lines) expect(line.status, `${name}: ${line.message}`).toBe('OK');
    expect(run.lines.get('homeserver')!.message).toContain(`the access token belongs to ${botUser.userId}`);
    expect(run.lines.get('rooms')!.message).toContain('reads all 1 joined room');
    expect(run.lines.get('bbb')!.message).toContain('(BBB 3.0.30) accepts the secret with sha256');
    expect(run.lines.get('bbb')!.message).toContain('deletions can be confirmed');
    expect(run.code).toBe(0);
    // Never the secrets.
    expect(run.stdout).not.toContain(SECRET);
    expect(run.stdout).not.toContain(botUser.accessToken);
  });

  it('names a rejected access token and how to get a new one', async () => {
    const run = await runCheck(writeConfig({ matrix: { accessToken: 'syt_not_a_real_token' } }));
    expect(run.lines.get('homeserver')).toMatchObject({ status: 'FAIL' });
    expect(run.lines.get('homeserver')!.message).toMatch(
      /rejects the access token \(M_UNKNOWN_TOKEN\).*matrix\.accessToken/,
    );
    expect(run.stdout).not.toContain('syt_not_a_real_token');
    expect(run.code).toBe(1);
  });

  it("names an inviter list that matches nobody on the bot's own server", async () => {
    const run = await runCheck(
      writeConfig({ matrix: { allowedInviters: ['@*:elsewhere.test'] }, admins: ['@dpo:elsewhere.test'] }),
    );
    expect(run.lines.get('inviters')).toEqual({
      status: 'FAIL',
      message: `matrix.allowedInviters ("@*:elsewhere.test") and admins match nobody on the bot's server ${botUser.serverName}: the bot would leave every room they invite it to; add e.g. "@*:${botUser.serverName}" to matrix.allowedInviters`,
    });
    expect(run.code).toBe(1);
  });

  it("names a wrong BBB secret (BBB's checksumError)", async () => {
    const run = await runCheck(writeConfig({ bbb: { secret: 'wrong-secret-0123456789' } }));
    expect(run.lines.get('bbb')!.status).toBe('FAIL');
    expect(run.lines.get('bbb')!.message).toMatch(/checksumError.*bbb\.secret.*is wrong.*bbb-conf --secret/);
    expect(run.code).toBe(1);
  });

  it('tells a refused checksum algorithm from a wrong secret, and names the one that works', async () => {
    const run = await runCheck(writeConfig({ bbb: { url: sha512Only.url, checksumAlgorithm: 'sha256' } }));
    expect(run.lines.get('bbb')!.status).toBe('FAIL');
    expect(run.lines.get('bbb')!.message).toContain(
      'refuses checksums made with sha256 (checksumError) but accepts sha512 with the same secret: set bbb.checksumAlgorithm to "sha512"',
    );
    expect(run.code).toBe(1);
  });

  it('fails behind a front-end that answers SUCCESS to deleting a recording that cannot exist (b3lb)', async () => {
    const run = await runCheck(writeConfig({ bbb: { url: b3lb.url } }));
    expect(run.lines.get('bbb')!.status).toBe('FAIL');
    expect(run.lines.get('bbb')!.message).toContain(
      'answers SUCCESS to deleting a recording that cannot exist (as b3lb does): it cannot confirm deletions',
    );
    expect(run.code).toBe(1);
    const accepted = await runCheck(writeConfig({ bbb: { url: b3lb.url, acceptUnconfirmedDeletion: true } }));
    expect(accepted.lines.get('bbb')!.status).toBe('OK');
  });

  it('warns about an unreachable BBB (it may come back), and does not exit 0', async () => {
    const run = await runCheck(writeConfig({ bbb: { url: 'http://127.0.0.1:9/bigbluebutton/' } }));
    expect(run.lines.get('bbb')!.status).toBe('WARN');
    expect(run.lines.get('bbb')!.message).toMatch(/unreachable for now \(network\)/);
    expect(run.lines.get('homeserver')!.status).toBe('OK');
    expect(run.code).toBe(1);
  });

  it('names a missing notice file', async () => {
    const missing = join(dir, 'no-such-notice.txt');
    const run = await runCheck(writeConfig({ notice: { de: missing } }));
    expect(run.lines.get('notice')).toEqual({
      status: 'FAIL',
      message: `notice.de (${missing}): not found; put the organisation's privacy notice there or point notice.de at it`,
    });
    expect(run.code).toBe(1);
  });

  it('names a notice placeholder the config does not fill', async () => {
    const template = join(dir, 'template.txt');
    writeFileSync(template, 'Verantwortliche Stelle: {{controller}}\nBetriebsrat: {{ worksCouncil }}\n', {
      mode: 0o644,
    });
    const run = await runCheck(writeConfig({ notice: { de: template } }));
    expect(run.lines.get('notice')!.status).toBe('FAIL');
    expect(run.lines.get('notice')!.message).toContain('uses the unknown placeholder {{ worksCouncil }}');
    expect(run.code).toBe(1);
  });

  it('names a database folder the bot cannot write', async (ctx) => {
    const blocked = isRoot ? unprivilegedRunBlocked() : null;
    if (blocked) {
      console.warn(`[preflight] read-only database case skipped: ${blocked}`);
      ctx.skip();
    }
    const readOnly = join(dir, 'read-only');
    mkdirSync(readOnly, { recursive: true });
    chmodSync(readOnly, 0o555);
    // root may write anywhere: run the check as an unprivileged user, as the service would run.
    const run = await runCheck(
      writeConfig({ database: { path: join(readOnly, 'bot.db') } }, 0o644),
      isRoot ? NOBODY : {},
    );
    expect(run.lines.get('database')!.status, run.stderr).toBe('FAIL');
    expect(run.lines.get('database')!.message).toMatch(
      /^cannot write in .*read-only \(EACCES\).*give the bot's user write access/,
    );
    expect(run.code).toBe(1);
  });
});

describe.skipIf(!hs)('the same checks at start-up', () => {
  let botUser: TestUser;
  let bot: BotProcess | undefined;

  beforeAll(async () => {
    botUser = await hs!.registerUser('meetbot-startup');
  });
  afterAll(async () => {
    await bot?.dispose();
  });

  async function startExpectingFailure(patch: DeepPartial<E2eBotConfig>): Promise<Run> {
    const dir = mkdtempSync(join(tmpdir(), 'meetbot-startup-'));
    const config = deepMerge<E2eBotConfig>(defaultBotConfig(hs!.url, botUser, dir), patch);
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(config));
    try {
      return await runCommand(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', file]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('a rejected token stops the start with the line `npm run check` prints, exit 2', async () => {
    const run = await startExpectingFailure({ matrix: { accessToken: 'syt_rejected' } });
    expect(run.code).toBe(2);
    expect(run.lines.get('homeserver')?.status).toBe('FAIL');
    expect(run.stderr).toMatch(/^FAIL {2}homeserver .*rejects the access token/m);
    expect(run.stdout).not.toContain('bot ready');
  });

  it("an inviter list that matches nobody on the bot's server stops the start, exit 2", async () => {
    const run = await startExpectingFailure({
      matrix: { allowedInviters: ['@*:elsewhere.test'] },
      admins: [],
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^FAIL {2}inviters .*match nobody on the bot's server/m);
  });

  it('a missing notice stops the start, exit 2', async () => {
    const run = await startExpectingFailure({ notice: { de: '/nonexistent/notice.txt' } });
    expect(run.code).toBe(2);
    expect(run.lines.get('notice')?.message).toContain('/nonexistent/notice.txt): not found');
  });

  it('an unreachable BBB is a warning: the bot starts anyway', async () => {
    // The default e2e config points BBB at port 9, which refuses connections.
    bot = await startBot({ homeserverUrl: hs!.url, botUser });
    const warning = bot.records().find((r) => r.check === 'bbb');
    expect(warning?.level).toBe(40); // pino's warn
    expect(String(warning?.msg)).toContain('unreachable for now');
    expect(bot.running).toBe(true);
  });
});
