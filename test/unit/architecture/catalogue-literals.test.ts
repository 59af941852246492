import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { de } from '../../../src/i18n/de.js';
import { stringLiterals, withoutComments } from '../../support/source-literals.js';

// Tests take what the bot says from the message catalogue (test/support/catalogue.ts), never as a
// German literal: a change of wording then changes the catalogue alone, not unrelated tests. The check:
// no test file's code (comments aside) holds a fixed piece of the German catalogue's text of 12 or more
// characters (the text between two parameters), unless the English catalogue holds the same piece
// (a command name, a config key: not wording).

const ROOT = resolve(import.meta.dirname, '../../..');
const MIN = 12;

function pieces(file: string): Set<string> {
  const found = new Set<string>();
  for (const literal of stringLiterals(readFileSync(join(ROOT, file), 'utf8')))
    for (const line of literal.split('\n')) if (line.trim().length >= MIN) found.add(line.trim());
  return found;
}

const english = pieces('src/i18n/en.ts');
const german = [...pieces('src/i18n/de.ts')].filter((p) => !english.has(p));

const testFiles = readdirSync(join(ROOT, 'test'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join('test', f));

describe('tests and the message catalogue', () => {
  it('the German catalogue yields pieces to look for', () => {
    expect(german.length).toBeGreaterThan(100);
    expect(german).toContain(de.noMeeting.text);
  });

  it('no test file spells out a piece of the German catalogue', () => {
    const offending: string[] = [];
    for (const file of testFiles) {
      const code = withoutComments(readFileSync(join(ROOT, file), 'utf8'));
      for (const piece of german) if (code.includes(piece)) offending.push(`${file}: ${piece}`);
    }
    expect(offending).toEqual([]);
  });
});
