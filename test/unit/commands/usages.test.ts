// The usage forms !help and usage answers show come from the catalogue (placeholders in the reader's
// language): every command has them in both languages, and they stay in step with the command table.
import { describe, expect, it } from 'vitest';
import { commandTable } from '../../../src/commands/index.js';
import { de } from '../../../src/i18n/de.js';
import { en } from '../../../src/i18n/en.js';

const flags = (text: string) => [...text.matchAll(/--[a-z-]+/g)].map((m) => m[0]).sort();

describe('usage forms', () => {
  for (const [language, t] of [
    ['de', de],
    ['en', en],
  ] as const) {
    it(`${language}: every command has its forms, each starting with its name and naming every option`, () => {
      for (const d of commandTable) {
        const forms = t.usages[d.name];
        expect(forms, d.name).toBeDefined();
        for (const form of forms!) expect(form.split(' ')[0], form).toBe(d.name);
        expect([...new Set(forms!.flatMap(flags))].sort(), d.name).toEqual(
          [...new Set(flags(d.usage))].sort(),
        );
      }
      expect(Object.keys(t.usages).sort()).toEqual(commandTable.map((d) => d.name).sort());
    });
  }

  it('German placeholders are German: each form is the English one with its placeholders translated', () => {
    const shape = (form: string) => form.replace(/<[^>]+>|\[[^\]]+\]|[#@]\p{L}+/gu, '…');
    for (const [name, forms] of Object.entries(en.usages)) {
      expect(de.usages[name]!.map(shape), name).toEqual(forms!.map(shape));
    }
    expect(de.usages.purge).not.toEqual(en.usages.purge);
    expect(de.usages.meeting![0]).not.toContain('<title>');
  });
});
