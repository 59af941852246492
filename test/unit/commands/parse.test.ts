import { describe, expect, it } from 'vitest';
import meeting from '../../../commands/meeting.js';
import { commandText, parseArguments, tokenize } from '../../../commands/parse.js';
import { parseWhen } from '../../../commands/when.js';

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
    expect(() => parseArguments(meeting, ['x', '--bogus'])).toThrow(/unknown-option:--bogus/);
  });
});

describe('start times', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  it('reads German and English times in the configured zone', () => {
    expect(new Date(parseWhen('morgen 10:00', 'de', 'Europe/Berlin', now)!).toISOString()).toBe(
      '2026-11-27T09:00:00.000Z',
    );
    expect(new Date(parseWhen('2027-07-01 10:00', 'de', 'Europe/Berlin', now)!).toISOString()).toBe(
      '2027-07-01T08:00:00.000Z',
    );
    expect(new Date(parseWhen('tomorrow 10am', 'en', 'UTC', now)!).toISOString()).toBe(
      '2026-11-27T10:00:00.000Z',
    );
    expect(parseWhen('irgendwann', 'de', 'Europe/Berlin', now)).toBeNull();
  });
});
