import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig } from '../../../src/config/load.js';

const valid = {
  matrix: { homeserverUrl: 'https://matrix.example.org', accessToken: 'syt_token' },
  bbb: { url: 'https://bbb.example.org/bigbluebutton/', secret: 'a-long-enough-secret' },
};
const { secret: _omit, ...bbbWithoutSecret } = valid.bbb;

function problems(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(raw, 'config.json', env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('fills defaults for everything optional', () => {
    const config = parseConfig(valid, 'config.json', {});
    expect(config.matrix.commandPrefix).toBe('!');
    expect(config.language).toBe('de');
    expect(config.bbb.checksumAlgorithm).toBe('sha256');
    expect(config.retention.recordingDays).toBe(30);
    expect(config.matrix.joinLinkDelivery).toBe('direct');
  });

  it('names a missing secret and the environment variable that may carry it', () => {
    expect(problems({ ...valid, bbb: bbbWithoutSecret })).toEqual([
      'bbb.secret: missing, expected string (or set the environment variable BBB_SECRET)',
    ]);
  });

  it('takes secrets from the environment instead of the file', () => {
    const env = { BBB_SECRET: 'from-the-environment' };
    const config = parseConfig({ ...valid, bbb: bbbWithoutSecret }, 'config.json', env);
    expect(config.bbb.secret).toBe('from-the-environment');
  });

  it('takes the password for an automatic new device from MATRIX_PASSWORD; it is optional', () => {
    expect(parseConfig(valid, 'config.json', {}).matrix.password).toBeUndefined();
    const config = parseConfig(valid, 'config.json', { MATRIX_PASSWORD: 'pw-from-the-environment' });
    expect(config.matrix.password).toBe('pw-from-the-environment');
    expect(problems({ ...valid, matrix: { ...valid.matrix, password: 12345678 } })).toEqual([
      'matrix.password: expected string, found a number (value hidden)',
    ]);
  });

  it('takes the recovery key from MATRIX_RECOVERY_KEY; a mistyped one is named without its value', () => {
    const key = 'EsTS Q71i RdF9 GNGq kJZ7 s9NY G8mw gKar e3Up bCif raJZ tBPQ';
    expect(parseConfig(valid, 'config.json', { MATRIX_RECOVERY_KEY: key }).matrix.recoveryKey).toBe(key);
    const typo = key.replace('Q71i', 'Q72i');
    const found = problems({ ...valid, matrix: { ...valid.matrix, recoveryKey: typo } });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^matrix\.recoveryKey: expected a recovery key as Element shows it.*\(value hidden\)$/,
    );
    expect(found[0]).not.toContain('Q72i');
  });

  it('names the key, the expected type and what was found', () => {
    expect(problems({ ...valid, retention: { recordingDays: '30' } })).toEqual([
      'retention.recordingDays: expected number, found string "30"',
    ]);
  });

  it('refuses recordingDays null: a recording must have an end (Art. 5(1)(e))', () => {
    expect(problems({ ...valid, retention: { recordingDays: null } })).toEqual([
      'retention.recordingDays: expected number, found null',
    ]);
  });

  it('never echoes a secret of the wrong type', () => {
    expect(problems({ ...valid, matrix: { ...valid.matrix, accessToken: 12345678 } })).toEqual([
      'matrix.accessToken: expected string, found a number (value hidden)',
    ]);
  });

  it('reports unknown keys, at the top and nested', () => {
    expect(problems({ ...valid, colour: 'blue', bbb: { ...valid.bbb, secert: 'typo' } })).toEqual([
      'unknown key in bbb: "secert"',
      'unknown key: "colour"',
    ]);
  });

  it('explains enum, URL, cron and user ID mistakes', () => {
    expect(
      problems({
        ...valid,
        language: 'fr',
        admins: ['bob'],
        matrix: { ...valid.matrix, homeserverUrl: 'matrix.example.org' },
        retention: { purgeSchedule: 'every hour' },
      }),
    ).toEqual([
      'matrix.homeserverUrl: expected an http(s) URL like https://example.org, found string "matrix.example.org" (write http:// or https:// in front)',
      'admins[0]: expected a Matrix user ID like @alice:example.org, found string "bob"',
      'language: expected one of "de", "en", found string "fr"',
      'retention.purgeSchedule: expected a cron expression like "*/15 * * * *", found string "every hour"',
    ]);
  });

  it('reports unreadable files and broken JSON without a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    expect(() => loadConfigFile(join(dir, 'missing.json'))).toThrow(/file not found/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "matrix": ');
    expect(() => loadConfigFile(broken)).toThrow(/not valid JSON/);
  });

  it('accepts config.example.json as shipped', () => {
    expect(() => loadConfigFile('config.example.json', {})).not.toThrow();
  });
});
