import { describe, expect, it } from 'vitest';
import meeting from '../../../src/commands/meeting.js';
import { commandText, parseArguments, tokenize } from '../../../src/commands/parse.js';
import { parseWhen } from '../../../src/commands/when.js';

describe('command text', () => {
  it('reads user IDs from pills, since the plain body only holds display names', () => {
    const content = {
      body: '!meeting Weekly sync Alice Bob',
      format: 'org.matrix.custom.html',
      formatted_body:
        '!meeting Weekly sync <a href="https://matrix.to/#/@alice:example.org">Alice</a> <a href="https://matrix.to/#/%40bob%3Aexample.org">Bob</a>',
    };
    expect(commandText(content)).toBe('!meeting Weekly sync @alice:example.org @bob:example.org');
  });
  it('decodes entities and drops reply fallbacks', () => {
    expect(
      commandText({
        body: 'x',
        format: 'org.matrix.custom.html',
        formatted_body: '<mx-reply><blockquote>old</blockquote></mx-reply>!meeting R&amp;D &lt;3',
      }),
    ).toBe('!meeting R&D <3');
  });
});

describe('tokenizer', () => {
  it('keeps apostrophes as letters and groups quoted words', () => {
    expect(tokenize(`meeting O'Neil's "Weekly sync" --at „morgen 10:00“`)).toEqual([
      'meeting',
      "O'Neil's",
      'Weekly sync',
      '--at',
      'morgen 10:00',
    ]);
  });
});

describe('arguments', () => {
  it('separates title words, mentions and options', () => {
    const args = parseArguments(meeting, [
      'Weekly',
      'sync',
      '@a:x',
      '--no-record',
      '@b:x',
      '@a:x',
      '--at',
      '10:00',
    ]);
    expect(args.words).toEqual(['Weekly', 'sync']);
    expect(args.mentions).toEqual(['@a:x', '@b:x']);
    expect(args.options).toEqual({ 'no-record': true, at: '10:00' });
  });
  it('keeps mentions without a server part apart from the title (defect 7)', () => {
    const args = parseArguments(meeting, ['Sync', '@alice', '@bob:x', '@carol:', 'me@home', '@']);
    expect(args.words).toEqual(['Sync', 'me@home', '@']);
    expect(args.mentions).toEqual(['@bob:x']);
    expect(args.unresolved).toEqual(['@alice', '@carol:']);
  });
  it('refuses unknown options with a usage error', () => {
    expect(() => parseArguments(meeting, ['x', '--bogus'])).toThrow(
      expect.objectContaining({ kind: 'usage', text: { key: 'unknownOption', params: ['--bogus'] } }),
    );
  });
});

describe('start times', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  const iso = (input: string, language: 'de' | 'en', zone = 'Europe/Berlin') => {
    const when = parseWhen(input, language, zone, now);
    return when.ok ? new Date(when.at).toISOString() : when.problem;
  };
  /** Each of `inputs` is read, in `language` and Berlin, as `expected`. */
  const readAs = (language: 'de' | 'en', expected: string, ...inputs: string[]) => {
    for (const input of inputs) expect(iso(input, language), `${input} (${language})`).toBe(expected);
  };
  it('reads German and English times in the configured zone', () => {
    expect(iso('morgen 10:00', 'de')).toBe('2026-11-27T09:00:00.000Z');
    expect(iso('2027-07-01 10:00', 'de')).toBe('2027-07-01T08:00:00.000Z');
    expect(iso('tomorrow 10am', 'en', 'UTC')).toBe('2026-11-27T10:00:00.000Z');
    expect(iso('irgendwann', 'de')).toBe('not-understood');
  });

  it('understands German and English whatever the bot speaks, README examples included (defect 9)', () => {
    for (const language of ['de', 'en'] as const) {
      // "tomorrow 10am" was read by the German parser as "10am" today.
      readAs(language, '2026-11-27T09:00:00.000Z', 'tomorrow 10am', 'morgen 10:00');
      // Day before month, as in German and British English.
      readAs(language, '2026-12-01T13:30:00.000Z', '2026-12-01 14:30', '01.12.2026 14:30');
      readAs(language, '2026-11-26T12:30:00.000Z', 'in 30 Minuten', 'in 30 minutes');
      readAs(language, '2026-11-30T08:00:00.000Z', 'next monday 9:00', 'nächsten Montag 9:00');
    }
  });

  it('refuses what it cannot take as written instead of changing it (defect 9)', () => {
    for (const language of ['de', 'en'] as const) {
      // 02:30 does not exist in Berlin on 28 March 2027 (clocks jump from 02:00 to 03:00).
      readAs(language, 'dst-gap', '2027-03-28 02:30');
      readAs(language, '2027-03-28T00:30:00.000Z', '2027-03-28 01:30');
      readAs(language, '2027-03-28T01:30:00.000Z', '2027-03-28 03:30');
      readAs(language, 'past', 'heute 10:00', '2026-11-26 11:00', 'gestern');
      readAs(language, 'no-clock-time', 'morgen');
      // Only part of it understood: refused, not read as "14:30 today".
      readAs(language, 'not-understood', '1.12. um halb drei 14:30 bitte', 'Dienstag oder Mittwoch 10:00');
    }
    // The zone's own gap, not Berlin's: 2 a.m. on 14 March 2027 does not exist in New York.
    expect(iso('2027-03-14 02:15', 'en', 'America/New_York')).toBe('dst-gap');
  });
});
