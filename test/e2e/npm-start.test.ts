// `npm start` and `npm run start:prod` stopped with SIGTERM (as a service manager or a terminal does it): the signal reaches the
// bot through npm, its shell and scripts/node-runtime.sh, the bot shuts down, and no bot process is left.
// Also on a machine whose Node is older than engines (the machine's own /usr/bin/node, when it is): npm
// then runs on that Node and the script starts Node 24 from the project's cache, here primed with the
// Node running this test instead of a download from the registry.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unsupportedNodeMessage } from '../../src/node-version.js';
import { processesWithEnv, processMarker } from '../support/processes.js';
import { type BotProcess, startBot } from './support/bot-process.js';
import { e2eHomeserver } from './support/context.js';
import { REPO_ROOT } from './support/homeserver-lifecycle.js';

const hs = e2eHomeserver();
const FETCH_MAJOR = 24; // what scripts/node-runtime.sh fetches for engines "<25"
const SYSTEM_NODE = '/usr/bin/node';
const systemNode = existsSync(SYSTEM_NODE)
  ? execFileSync(SYSTEM_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()
  : null;
const canRunOldNode =
  systemNode !== null &&
  unsupportedNodeMessage(systemNode) !== null &&
  process.versions.node.startsWith(`${FETCH_MAJOR}.`);

/** A NODE_CACHE holding "Node 24" as node-runtime.sh installs it: the node running this test. */
function primedNodeCache(): string {
  const cache = mkdtempSync(join(tmpdir(), 'meetbot-node-cache-'));
  const bin = join(cache, `${FETCH_MAJOR}/node_modules/node/bin`);
  mkdirSync(bin, { recursive: true });
  symlinkSync(process.execPath, join(bin, 'node'));
  return cache;
}

let bot: BotProcess | undefined;
let marker: ReturnType<typeof processMarker>;
afterEach(async () => {
  await bot?.dispose();
  for (const p of processesWithEnv(marker.name, marker.value)) process.kill(p.pid, 'SIGKILL');
});

async function startAndStop(
  env: Record<string, string>,
  entry: 'npm' | 'npm-prod' = 'npm',
): Promise<BotProcess> {
  marker = processMarker();
  const botUser = await hs!.registerUser('meetbot');
  bot = await startBot({ homeserverUrl: hs!.url, botUser, entry, env: { ...env, ...marker.env } });
  const running = processesWithEnv(marker.name, marker.value);
  const main = entry === 'npm' ? 'src/main.ts' : 'dist/src/main.js';
  expect(running.some((p) => p.cmd.includes(main))).toBe(true);
  await bot.stop();
  expect(bot.records().some((r) => r.msg === 'shutting down' && r.signal === 'SIGTERM')).toBe(true);
  expect(bot.records().some((r) => r.msg === 'bot stopped')).toBe(true);
  expect(processesWithEnv(marker.name, marker.value)).toEqual([]);
  return bot;
}

describe.skipIf(!hs)('npm start and SIGTERM', () => {
  it('SIGTERM to npm reaches the bot: it shuts down and no bot process is left', async () => {
    await startAndStop({});
  }, 60_000);

  it('the same for npm run start:prod (the compiled bot)', async () => {
    execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
    const started = await startAndStop({}, 'npm-prod');
    // Started by hand, without the unit's LD_PRELOAD: one line says what jemalloc's absence costs.
    if (process.platform === 'linux' && !process.env.LD_PRELOAD) {
      const memory = started.records().filter((r) => r.check === 'memory');
      expect(memory).toHaveLength(1);
      expect(memory[0]!.msg).toMatch(/jemalloc is not preloaded .*docs\/benchmarks\.md#without-jemalloc/);
    }
  }, 90_000);

  it.skipIf(!canRunOldNode)(
    `the same with the machine's Node ${systemNode} first in PATH: the bot runs on Node ${FETCH_MAJOR}`,
    async () => {
      const started = await startAndStop({
        PATH: `/usr/bin:${process.env.PATH}`,
        NODE_CACHE: primedNodeCache(),
      });
      expect(started.lines()).toContainEqual(
        expect.stringMatching(
          new RegExp(`^Node v${systemNode} does not satisfy engines .*: using Node ${FETCH_MAJOR} from `),
        ),
      );
    },
    60_000,
  );
});
