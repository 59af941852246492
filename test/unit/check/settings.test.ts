// Settings that parse but are certainly wrong: the check and the start name each key (src/check/settings.ts).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkInviters, configFileProblem, exampleValueProblems } from '../../../src/check/settings.js';
import { ConfigError, loadConfigFile, parseConfig } from '../../../src/config/load.js';
import { APP_ROOT } from '../../../src/config/paths.js';
import { SAMPLE_NOTICE_FACTS } from '../../support/notice-facts.js';
import { thrown } from '../../support/thrown.js';

const filled = {
  matrix: {
    homeserverUrl: 'https://matrix.acme.test',
    accessToken: 'syt_real_token',
    password: 'a-real-password',
    recoveryKey: 'EsTS Q71i RdF9 GNGq kJZ7 s9NY G8mw gKar e3Up bCif raJZ tBPQ',
    allowedInviters: ['@*:acme.test'],
  },
  admins: ['@dpo:acme.test'],
  bbb: { url: 'https://bbb.acme.test/bigbluebutton/', secret: 'a-long-enough-secret' },
  notice: SAMPLE_NOTICE_FACTS,
};
/** The filled config with `matrix` changed as given, and other sections replaced. */
const filledWith = (matrix: object, sections: object = {}) =>
  parseConfig({ ...filled, matrix: { ...filled.matrix, ...matrix }, ...sections }, 'config.json', {});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('example values left in', () => {
  it('config.example.json as copied: every example value is named by its key', () => {
    const keys = exampleValueProblems(loadConfigFile('config.example.json', {})).map((p) => p.split(':')[0]);
    expect(keys).toEqual([
      'notice.controller',
      'notice.contact',
      'notice.bbbProvider',
      'notice.bbbProviderPrivacyUrl',
      'notice.finalDeletion',
      'notice.dpo',
      'notice.homeserverOperator',
      'notice.thirdCountry',
      'notice.logRetention',
      'admins[0]',
      'matrix.allowedInviters[0]',
      'matrix.accessToken',
      'matrix.password',
      'bbb.secret',
      'matrix.recoveryKey',
      'matrix.homeserverUrl',
      'bbb.url',
    ]);
  });

  it('a filled config has none', () => {
    expect(exampleValueProblems(filledWith({}))).toEqual([]);
  });

  it('says why each one is wrong and what to do, never echoing a secret', () => {
    const config = filledWith(
      { password: 'optional_remove_me_or_set_MATRIX_PASSWORD' },
      { admins: ['@dpo:example.org'] },
    );
    const problems = exampleValueProblems(config);
    expect(problems).toEqual([
      'admins[0]: "@dpo:example.org" is on the example domain example.org, which no real server has: put your own people\'s Matrix IDs here',
      expect.stringMatching(
        /^matrix\.password: still the example's placeholder: set the bot account's password/,
      ),
    ]);
    expect(problems.join()).not.toContain('optional_remove_me');
  });
});

describe('URLs', () => {
  it('a homeserver URL without http(s):// is refused, naming the key', () => {
    for (const url of ['matrix.acme.test:8448', 'localhost:8008', 'matrix.acme.test']) {
      expect(thrown(ConfigError, () => filledWith({ homeserverUrl: url })).problems).toEqual([
        `matrix.homeserverUrl: expected an http(s) URL like https://example.org, found string "${url}" (write http:// or https:// in front)`,
      ]);
    }
  });
});

describe('inviters', () => {
  const config = (allowedInviters: string[], admins: string[] = []) =>
    filledWith({ allowedInviters }, { admins });

  it("fails when nobody on the bot's own server may invite it, naming the key and a fix", () => {
    const result = checkInviters(config(['@*:other.test']), '@meetbot:acme.test');
    expect(result.status).toBe('fail');
    expect(result.message).toBe(
      'matrix.allowedInviters ("@*:other.test") and admins match nobody on the bot\'s server acme.test: the bot would leave every room they invite it to; add e.g. "@*:acme.test" to matrix.allowedInviters',
    );
    expect(checkInviters(config([], ['@dpo:other.test']), '@meetbot:acme.test').status).toBe('fail');
  });

  it('only warns when both lists are empty (maybe meant: no new rooms)', () => {
    const result = checkInviters(config([]), '@meetbot:acme.test');
    expect(result.status).toBe('warn');
    expect(result.message).toMatch(/^nobody may invite the bot/);
  });

  it('passes with a glob, a user or an admin of its server', () => {
    expect(checkInviters(config(['@*:acme.test']), '@meetbot:acme.test').status).toBe('ok');
    expect(checkInviters(config(['@alice:acme.test']), '@meetbot:acme.test').status).toBe('ok');
    expect(checkInviters(config(['@*:*.test']), '@meetbot:acme.test').status).toBe('ok');
    expect(checkInviters(config([], ['@dpo:acme.test']), '@meetbot:acme.test').status).toBe('ok');
  });
});

describe('the config file', () => {
  it('warns when every user of the machine can read it', () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, '{}');
    chmodSync(file, 0o644);
    expect(configFileProblem(file)).toBe(
      `${file} is readable by every user of this machine (mode 0644) and holds the bot's access token and secrets: chmod 600 ${file} (or 640 with the bot's group)`,
    );
    chmodSync(file, 0o640);
    expect(configFileProblem(file)).toBeNull();
  });

  it("relative paths written in it are taken from its folder; defaults from the application's", () => {
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...filled,
        matrix: { ...filled.matrix, cryptoStorePath: 'state/crypto' },
        notice: { ...filled.notice, de: 'texts/notice.de.txt' },
        database: { path: 'state/bot.db' },
      }),
    );
    const config = loadConfigFile(file, {});
    expect(config.notice.de).toBe(join(dir, 'texts/notice.de.txt'));
    expect(config.database.path).toBe(join(dir, 'state/bot.db'));
    expect(config.matrix.cryptoStorePath).toBe(join(dir, 'state/crypto'));
    // Not written: the shipped notice of the release.
    expect(config.notice.en).toBe(join(APP_ROOT, 'notices/privacy-notice.en.txt'));
    expect(readFileSync(config.notice.en, 'utf8').length).toBeGreaterThan(0);
  });
});
