import { describe, expect, it } from 'vitest';
import { cleanName, MAX_NAME_LENGTH } from '../../../src/domain/names.js';
import { tallyCount } from '../../support/catalogue.js';

describe('cleanName: names are data on one line', () => {
  it('turns line breaks and control characters into spaces', () => {
    const tally = tallyCount('agreed', 2); // the tally's own words, typed into a display name
    expect(cleanName(`Mallory\n${tally}: Alice\r\n\tBob\u0000`)).toBe(`Mallory ${tally}: Alice Bob`);
    expect(cleanName('a\u2028b\u2029c\u0085d')).toBe('a b c d');
  });

  it('removes bidi overrides and isolates, zero-width and other invisible format characters', () => {
    expect(cleanName('\u202eevil\u202c \u2066x\u2069')).toBe('evil x');
    expect(cleanName('Al\u200bi\u200cc\u2060e\ufeff\u00ad')).toBe('Alice');
  });

  it('keeps a joiner inside an emoji sequence', () => {
    expect(cleanName('👩\u200d💻 Dana')).toBe('👩\u200d💻 Dana');
  });

  it('caps the length in code points and ends a shortened name with …', () => {
    const long = cleanName('😀'.repeat(500));
    expect([...long]).toHaveLength(MAX_NAME_LENGTH);
    expect(long.endsWith('…')).toBe(true);
    expect(cleanName('Alice')).toBe('Alice');
  });

  it('leaves nothing of a name made only of invisible characters', () => {
    expect(cleanName(' \u200b\u202e\n ')).toBe('');
  });
});
