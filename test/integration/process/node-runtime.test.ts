// scripts/node-runtime.sh, the way every npm entry point (and .ci/run) gets a supported Node: a machine
// whose Node is older than package.json's engines gets one fetched from the npm registry into the
// project, once, with one line saying so; MEETBOT_NODE_FETCH=0 stops at once with one line instead.
// Run in a scratch copy of the project whose engines allow only the major running this test, with a
// stand-in `node` that reports v20.1.0 and a stand-in `npm` that "installs" the real node binary (the
// registry itself is not contacted here; the README's clean-clone run is where that was measured).
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { finished, REPO } from '../../support/run-to-end.js';

const MAJOR = Number(process.versions.node.split('.')[0]);
const RANGE = `>=${MAJOR}.0 <${MAJOR + 1}`;

let project: string;
let oldBin: string;
let npmLog: string;

function executable(path: string, text: string): void {
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'meetbot-node-runtime-'));
  mkdirSync(join(project, 'scripts'));
  copyFileSync(join(REPO, 'scripts/node-runtime.sh'), join(project, 'scripts/node-runtime.sh'));
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'x', engines: { node: RANGE }, scripts: {} }, null, 2)}\n`,
  );
  oldBin = join(project, 'old-bin');
  mkdirSync(oldBin);
  npmLog = join(project, 'npm-calls.log');
  executable(
    join(oldBin, 'node'),
    '#!/bin/sh\n[ "$1" = --version ] && { echo v20.1.0; exit 0; }\necho "the old node ran" >&2; exit 99\n',
  );
  executable(
    join(oldBin, 'npm'),
    `#!/bin/sh
echo "$*" >> "${npmLog}"
while [ $# -gt 0 ]; do [ "$1" = --prefix ] && prefix=$2; shift; done
mkdir -p "$prefix/node_modules/node/bin" && ln -s "${process.execPath}" "$prefix/node_modules/node/bin/node"
`,
  );
});

async function run(args: string[], env: Record<string, string> = {}, pathFirst = oldBin) {
  const t0 = performance.now();
  const r = await finished('bash', [join(project, 'scripts/node-runtime.sh'), ...args], {
    cwd: project,
    env: {
      ...process.env,
      MEETBOT_NODE_FETCH: '',
      NODE_CACHE: '',
      PATH: `${pathFirst}:/usr/bin:/bin`,
      ...env,
    },
  });
  return { ...r, ms: performance.now() - t0 };
}

const npmCalls = () => (existsSync(npmLog) ? readFileSync(npmLog, 'utf8').trim().split('\n') : []);

describe('scripts/node-runtime.sh on a machine whose Node is older than engines', () => {
  it('with MEETBOT_NODE_FETCH=0 stops at once with one line: needed, found, how to install', async () => {
    const r = await run(['-p', 'process.version'], { MEETBOT_NODE_FETCH: '0' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Node ${RANGE} needed`);
    expect(lines[0]).toContain('found v20.1.0');
    expect(lines[0]).toContain(`npm install --prefix ~/node${MAJOR} node@${MAJOR}`);
    expect(npmCalls()).toEqual([]);
    expect(r.ms).toBeLessThan(1_000);
  });

  it('fetches the newest allowed major into .node/ once, says so in one line, then reuses it', async () => {
    const first = await run(['-p', 'process.version']);
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe(process.version);
    expect(first.stderr.trimEnd().split('\n')).toEqual([
      `Node v20.1.0 does not satisfy engines (${RANGE}): fetching Node ${MAJOR} from the npm registry into ${project}/.node/${MAJOR}, once (MEETBOT_NODE_FETCH=0 turns this off) …`,
    ]);
    expect(npmCalls()).toHaveLength(1);
    expect(npmCalls()[0]).toContain(`node@${MAJOR}`);
    expect(existsSync(join(project, `.node/${MAJOR}/node_modules/node/bin/node`))).toBe(true);

    const second = await run(['-p', 'process.version']);
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe(process.version);
    expect(second.stderr.trimEnd().split('\n')).toEqual([
      `Node v20.1.0 does not satisfy engines (${RANGE}): using Node ${MAJOR} from ${project}/.node/${MAJOR} (MEETBOT_NODE_FETCH=0 turns this off)`,
    ]);
    expect(npmCalls()).toHaveLength(1);
  });

  it('replaces itself with node (exec), so signals sent to the script reach node', async () => {
    const r = await run(['-p', 'process.pid']);
    expect(r.code).toBe(0);
    expect(Number(r.stdout.trim())).toBe(r.pid);
  });
});

describe('scripts/node-runtime.sh on a supported Node', () => {
  it('runs it without a word and fetches nothing', async () => {
    const bin = join(project, 'good-bin');
    mkdirSync(bin);
    executable(join(bin, 'node'), `#!/bin/sh\nexec "${process.execPath}" "$@"\n`);
    const r = await run(['-p', 'process.version'], {}, `${bin}:${oldBin}`);
    expect(r).toMatchObject({ code: 0, stdout: `${process.version}\n`, stderr: '' });
    expect(npmCalls()).toEqual([]);
  });
});
