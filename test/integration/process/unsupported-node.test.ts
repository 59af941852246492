// The bot, `npm run check`, `npm run evidence` and the demo on an unsupported Node: one line, exit code 2,
// and no native module loaded (better-sqlite3's binary crashes an older Node with SIGSEGV). The older Node
// is faked by a preload (after tsx's, which reads the version to pick its hooks) that reports 20.1.0 and
// lists the better-sqlite3 files loaded by the time the process exits; where the machine's own Node
// (/usr/bin/node) is older, the entries also run on it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unsupportedNodeMessage } from '../../../src/node-version.js';
import { finished } from '../../support/run-to-end.js';

const ENTRIES = ['src/main.ts', 'src/check/cli.ts', 'src/evidence/cli.ts', 'demo/run.ts'];

const PRELOAD = join(mkdtempSync(join(tmpdir(), 'meetbot-old-node-')), 'old-node.mjs');
writeFileSync(
  PRELOAD,
  `import Module from 'node:module';
Object.defineProperty(process.versions, 'node', { value: '20.1.0' });
process.on('exit', () => {
  const native = Object.keys(Module._cache).filter((k) => k.includes('better-sqlite3'));
  if (native.length > 0) process.stderr.write('loaded: ' + native.join(' ') + '\\n');
});
`,
);

const SYSTEM_NODE = '/usr/bin/node';
const systemNodeVersion = existsSync(SYSTEM_NODE)
  ? execFileSync(SYSTEM_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()
  : null;
const oldSystemNode = systemNodeVersion !== null && unsupportedNodeMessage(systemNodeVersion) !== null;

/** What `node` printed on either stream, and how it ended. */
async function run(node: string, args: string[]) {
  const { code, signal, stdout, stderr } = await finished(node, args);
  return { code, signal, out: stdout + stderr };
}

describe('entry points on an unsupported Node', () => {
  it.each(ENTRIES)('%s prints one line and exits 2 before loading better-sqlite3', async (entry) => {
    const r = await run(process.execPath, [
      '--import',
      'tsx',
      '--import',
      PRELOAD,
      entry,
      '--config',
      'x.json',
    ]);
    expect(r.out).toBe(`${unsupportedNodeMessage('20.1.0')}\n`);
    expect(r.code).toBe(2);
  });

  it.skipIf(!oldSystemNode).each(ENTRIES)(
    `%s on the machine's own Node (${systemNodeVersion}) does the same, without a crash`,
    async (entry) => {
      const r = await run(SYSTEM_NODE, ['--import', 'tsx', entry, '--config', 'x.json']);
      expect(r).toEqual({ code: 2, signal: null, out: `${unsupportedNodeMessage(systemNodeVersion!)}\n` });
    },
  );
});
