// `npm run check` and the start on settings that parse but are certainly wrong: values left in from
// config.example.json stop both, naming each key; the check prints the absolute paths it used.
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exampleValueProblems } from '../../../src/check/settings.js';
import { loadConfigFile } from '../../../src/config/load.js';
import { SAMPLE_NOTICE_FACTS } from '../../support/notice-facts.js';
import { REPO, tsx } from '../../support/run-to-end.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meetbot-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(script: string, file: string, extraEnv: Record<string, string> = {}) {
  const {
    MATRIX_ACCESS_TOKEN: _t,
    MATRIX_PASSWORD: _p,
    BBB_SECRET: _s,
    LD_PRELOAD: _l,
    ...rest
  } = process.env;
  return tsx(script, ['--config', file], { env: { ...rest, ...extraEnv }, timeout: 30_000 });
}

/** A config that parses, unreachable servers, with `extra` on top; written as config.json in `dir`. */
function writeConfig(extra: Record<string, unknown>, mode: number): string {
  const file = join(dir, 'config.json');
  const config = {
    matrix: {
      homeserverUrl: 'http://127.0.0.1:9',
      accessToken: 'syt_token',
      allowedInviters: ['@*:acme.test'],
    },
    bbb: { url: 'http://127.0.0.1:9/bigbluebutton/', secret: 'a-long-enough-secret' },
    ...extra,
  };
  writeFileSync(file, JSON.stringify(config), { mode });
  return file;
}

// Which values are the example's is pinned by the unit test of exampleValueProblems.
const EXAMPLE_KEYS = exampleValueProblems(loadConfigFile(join(REPO, 'config.example.json'), {})).map(
  (p) => p.split(':')[0]!,
);

describe('config.example.json copied unchanged', { timeout: 40_000 }, () => {
  const copied = () => {
    const file = join(dir, 'config.json');
    copyFileSync(join(REPO, 'config.example.json'), file);
    return file;
  };

  it('fails the check with one line naming every example value, and asks no server', async () => {
    const file = copied();
    const result = await run('src/check/cli.ts', file);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^FAIL  config     ${file}: notice\\.controller: still the example's value`),
    );
    for (const key of EXAMPLE_KEYS) expect(lines[0]).toContain(`${key}: `);
  });

  it('stops the start with exit 2, naming every example value', async () => {
    const file = copied();
    const result = await run('src/main.ts', file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Invalid configuration in ${file}:`);
    for (const key of EXAMPLE_KEYS) expect(result.stderr).toContain(`  - ${key}: `);
  });
});

describe('paths', { timeout: 40_000 }, () => {
  it("the check prints the absolute paths it uses, relative ones taken from the config file's folder", async () => {
    const file = writeConfig(
      { notice: { ...SAMPLE_NOTICE_FACTS, de: 'texts/notice.de.txt' }, database: { path: 'state/bot.db' } },
      0o600,
    );
    const result = await run('src/check/cli.ts', file);
    const config = result.stdout.split('\n').find((l) => l.startsWith('OK    config'));
    expect(config).toBe(
      `OK    config     ${file}: language de, BBB checksum sha256, 0 admin(s); database ${join(dir, 'state/bot.db')}, crypto store ${join(dir, 'state/crypto')}, notice ${join(dir, 'texts/notice.de.txt')}`,
    );
    expect(result.stdout).toContain(
      `FAIL  notice     notice.de (${join(dir, 'texts/notice.de.txt')}): not found`,
    );
  });

  it('warns about a config file every user can read', async () => {
    const file = writeConfig({ notice: SAMPLE_NOTICE_FACTS, database: { path: 'bot.db' } }, 0o600);
    chmodSync(file, 0o644); // as `cp config.example.json config.json` leaves it
    const result = await run('src/check/cli.ts', file);
    expect(result.stdout).toContain(
      `WARN  config     ${file} is readable by every user of this machine (mode 0644)`,
    );
    expect(result.code).toBe(1);
  });

  it.skipIf(process.platform !== 'linux')(
    'says in one line when jemalloc is not loaded, what that costs and the line to add',
    async () => {
      const file = writeConfig({ notice: SAMPLE_NOTICE_FACTS, database: { path: 'bot.db' } }, 0o600);
      // A preload naming a jemalloc that is not there (the dynamic loader skips it) is no jemalloc.
      for (const env of [{}, { LD_PRELOAD: join(dir, 'libjemalloc.so.2') }] as Record<string, string>[]) {
        const result = await run('src/check/cli.ts', file, env);
        const lines = result.stdout.split('\n').filter((l) => l.startsWith('NOTE  memory'));
        expect(lines, result.stdout).toHaveLength(1);
        expect(lines[0]).toMatch(
          /jemalloc is not (pre)?loaded.*docs\/benchmarks\.md#without-jemalloc.*start it with LD_PRELOAD=\S+libjemalloc\.so\.2 MALLOC_CONF=narenas:1,tcache:false/,
        );
      }
    },
  );
});
