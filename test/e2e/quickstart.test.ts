// The README's operator quick-start, followed on a clean clone: the bot's account and token made by the
// README's own commands (curl against the shared-secret registration and the login API), `npm ci`, the
// config copied and made private, `npm run check` all OK, `npm start`, and the bot answers `!ping`.
// Against the shared test Synapse and the BBB simulator (not a real BigBlueButton).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { generateRecoveryKey } from '../../src/config/recovery-key.js';
import { type BbbSimulator, startBbbSimulator } from '../support/bbb-simulator.js';
import { SAMPLE_NOTICE_FACTS } from '../support/notice-facts.js';
import { e2eHomeserver } from './support/context.js';
import { REPO_ROOT } from './support/homeserver-lifecycle.js';
import { pongInNewRoom } from './support/meeting-helpers.js';
import { CHECKS, cleanEnv, runCommand } from './support/run.js';

const hs = e2eHomeserver();
const BBB_SECRET = 'quickstart-bbb-secret-0123';

/** The shell blocks between the README's quickstart markers, unindented, in order. */
function quickstartBlocks(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const part = readme.split('<!-- quickstart:start -->')[1]?.split('<!-- quickstart:end -->')[0] ?? '';
  return [...part.matchAll(/^( *)```sh\n([\s\S]*?)^ *```$/gm)].map(([, indent, body]) =>
    body!
      .split('\n')
      .map((line) => line.slice(indent!.length))
      .join('\n'),
  );
}

// Node 24 of this run first, as the README's step 1 asks.
const env = cleanEnv({ PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` });
const bash = (script: string, cwd: string) =>
  runCommand('bash', ['-euo', 'pipefail', '-c', script], { cwd, env, timeoutMs: 600_000 });

describe.skipIf(!hs)('the README quick-start', () => {
  let dir: string | undefined;
  let sim: BbbSimulator | undefined;
  let bot: ChildProcess | undefined;

  afterAll(async () => {
    if (bot?.pid && bot.exitCode === null) {
      const gone = new Promise((r) => bot!.once('exit', r));
      process.kill(-bot.pid, 'SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 15_000))]);
      if (bot.exitCode === null) process.kill(-bot.pid, 'SIGKILL');
    }
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('works as written on a clean clone: account, token, config, check, start, !ping', {
    timeout: 600_000,
  }, async () => {
    const blocks = quickstartBlocks();
    const find = (what: string, test: (b: string) => boolean) => {
      const found = blocks.find(test);
      if (!found) throw new Error(`the README's quick-start has no block that ${what}`);
      return found;
    };
    const account = find('logs in', (b) => b.includes('/_matrix/client/v3/login'));
    const install = find('copies the config', (b) => b.includes('cp config.example.json config.json'));
    const check = find('runs the check', (b) => b.trim() === 'npm run check');
    const start = find('starts the bot', (b) => b.trim() === 'npm start');

    dir = mkdtempSync(join(tmpdir(), 'meetbot-quickstart-'));
    const botName = `qs-bot-${Date.now().toString(36)}`;
    // This run's values for the variables the README asks the operator to set.
    const ours = account
      .replace(/^HS=.*$/m, `HS=${hs!.url}`)
      .replace(/^SHARED_SECRET=.*$/m, `SHARED_SECRET='${inject('homeserver')!.registrationSecret}'`)
      .replace(/^BOT=.*$/m, `BOT=${botName}`);
    const setup = await bash(
      [
        ours,
        `printf '%s\\n%s\\n' "$TOKEN" "$BOT_PASSWORD" > "${dir}/credentials"`,
        install.replace('<this repository>', REPO_ROOT),
      ].join('\n'),
      dir,
    );
    expect(setup.code, setup.output).toBe(0);
    const [token, password] = readFileSync(join(dir, 'credentials'), 'utf8').trim().split('\n');
    expect(token).toMatch(/^\S{10,}$/);
    const clone = join(dir, 'meetbot');
    const configFile = join(clone, 'config.json');
    expect(statSync(configFile).mode & 0o777).toBe(0o600);

    // The operator's edits to config.json (README step 3).
    const alice = await hs!.registerUser('qs-alice');
    const server = alice.serverName;
    sim = await startBbbSimulator({ secret: BBB_SECRET });
    const config = JSON.parse(readFileSync(configFile, 'utf8'));
    config.matrix.homeserverUrl = hs!.url;
    config.matrix.accessToken = token;
    config.matrix.password = password;
    config.matrix.recoveryKey = generateRecoveryKey(); // what `npm run recovery-key` prints
    config.matrix.allowedInviters = [`@*:${server}`];
    config.admins = [alice.userId];
    config.bbb.url = sim.url;
    config.bbb.secret = BBB_SECRET;
    config.notice = { ...config.notice, ...SAMPLE_NOTICE_FACTS };
    writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);

    const checked = await bash(check, clone);
    const lines = checked.output.split('\n').filter((l) => /^(OK|WARN|FAIL) /.test(l));
    // Besides: at most a note that jemalloc is not preloaded (no production setting in a quick start).
    const notes = checked.output.split('\n').filter((l) => /^NOTE /.test(l));
    expect(notes.map((l) => l.split(/\s+/)[1])).toEqual(notes.length ? ['memory'] : []);
    expect(lines.map((l) => l.split(/\s+/)[1])).toEqual([...CHECKS, ...(notes.length ? [] : ['memory'])]);
    for (const line of lines) expect(line, checked.output).toMatch(/^OK /);
    expect(checked.code).toBe(0);
    expect(checked.output).toContain(`the access token belongs to @${botName}:${server}`);

    let output = '';
    bot = spawn('bash', ['-c', start], {
      cwd: clone,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    bot.stdout!.on('data', (d: Buffer) => (output += d));
    bot.stderr!.on('data', (d: Buffer) => (output += d));
    for (let waited = 0; !output.includes('"bot ready"'); waited += 200) {
      if (bot.exitCode !== null || waited > 120_000) throw new Error(`the bot did not get ready:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    const botId = `@${botName}:${server}`;
    const pong = await pongInNewRoom(alice, botId, 'quick-start');
    expect(pong.sender).toBe(botId);
    // No deprecation warning from a dependency at start.
    expect(output).not.toContain('DeprecationWarning');
  });
});
