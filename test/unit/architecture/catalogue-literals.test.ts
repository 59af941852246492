import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { de } from '../../../src/i18n/de.js';
import { stringLiterals, withoutComments } from '../../support/source-literals.js';

// Tests take what the bot says from the message catalogue (test/support/catalogue.ts), never as a
// German literal: a change of wording then changes the catalogue alone, not unrelated tests. Two checks
// on every file under test/ (comments aside): its code holds no fixed piece of the German catalogue's
// text of 12 or more characters (the text between two parameters), and none of its string literals of
// 8 or more characters is part of such a piece. Pieces the English catalogue holds too (a command name,
// a config key) are not wording and do not count.

const ROOT = resolve(import.meta.dirname, '../../..');

/** Text a person types, or a notice template's, that happens to be part of the catalogue's wording. */
const NOT_WORDING = new Set([
  'morgen 10:00', // a time as people write it (the parser's tests)
  'Reaktion ✅', // the shipped privacy notice template (notices/privacy-notice.de.txt)
]);

function pieces(file: string, min: number): string[] {
  const found = new Set<string>();
  for (const literal of stringLiterals(readFileSync(join(ROOT, file), 'utf8')))
    for (const line of literal.split('\n')) if (line.trim().length >= min) found.add(line.trim());
  return [...found];
}

const english = pieces('src/i18n/en.ts', 1);
const german = pieces('src/i18n/de.ts', 1).filter((p) => !english.includes(p));
const long = german.filter((p) => p.length >= 12);

const testFiles = readdirSync(join(ROOT, 'test'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join('test', f));

describe('tests and the message catalogue', () => {
  it('the German catalogue yields pieces to look for', () => {
    expect(long.length).toBeGreaterThan(100);
    expect(long).toContain(de.noMeeting.text);
  });

  it('no test file spells out a piece of the German catalogue', () => {
    const offending: string[] = [];
    for (const file of testFiles) {
      const code = withoutComments(readFileSync(join(ROOT, file), 'utf8'));
      for (const piece of long) if (code.includes(piece)) offending.push(`${file}: ${piece}`);
    }
    expect(offending).toEqual([]);
  });

  it('no string in a test file is a part of the German catalogue’s wording', () => {
    const offending: string[] = [];
    for (const file of testFiles) {
      for (const literal of stringLiterals(readFileSync(join(ROOT, file), 'utf8'))) {
        const text = literal.trim();
        if (text.length < 8 || NOT_WORDING.has(text)) continue;
        if (german.some((p) => p.includes(text)) && !english.some((p) => p.includes(text)))
          offending.push(`${file}: ${text}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
