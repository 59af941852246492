import { describe, expect, it } from 'vitest';
import { catalogue } from '../../../src/i18n/index.js';

// Texts BBB shows inside the meeting are plain text (sendChatMessage escapes markup; 1–500 characters,
// reference §3.11) and name nobody.
describe('what the bot says inside the BBB meeting', () => {
  for (const language of ['de', 'en'] as const) {
    const t = catalogue(language).inMeeting;
    const texts = [t.recorded('!'), t.unrecorded(), t.endingAfterWithdrawal()];

    it(`${language}: plain text within BBB's 500-character chat limit`, () => {
      for (const text of texts) {
        expect(text.length).toBeGreaterThan(0);
        expect(text.length).toBeLessThanOrEqual(500);
        expect(text).not.toMatch(/[<>]|%%/);
      }
    });

    it(`${language}: the recorded text says how to withdraw with the configured prefix`, () => {
      expect(t.recorded('?')).toContain('?withdraw');
    });
  }
});
