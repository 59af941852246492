import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../src/config/load.js';
import { DIRECT_ROOM_GRACE_DAYS } from '../../../src/domain/retention.js';
import { catalogue, type Language } from '../../../src/i18n/index.js';
import { loadNotice } from '../../../src/notice.js';
import { SAMPLE_NOTICE_FACTS } from '../../support/notice-facts.js';
import { thrown } from '../../support/thrown.js';

const SHIPPED: Record<Language, string> = {
  de: 'notices/privacy-notice.de.txt',
  en: 'notices/privacy-notice.en.txt',
};

function config(extra: Record<string, unknown> = {}, notice: Record<string, unknown> = SAMPLE_NOTICE_FACTS) {
  return parseConfig(
    {
      matrix: { homeserverUrl: 'https://matrix.example.org', accessToken: 'token' },
      bbb: { url: 'https://bbb.example.org/bigbluebutton/', secret: 'secret-secret' },
      admins: ['@dpo:example.org'],
      notice,
      ...extra,
    },
    'config.json',
    {},
  );
}

function render(language: Language, extra: Record<string, unknown> = {}): string {
  return loadNotice(SHIPPED[language], language, config({ language, ...extra })).text;
}

/** Every "N Tage"/"N days" the text states. */
function statedDays(text: string): number[] {
  return [...text.matchAll(/(\d+)\s*(?:Tage|Tagen|Tag|days?)\b/g)].map((m) => Number(m[1]));
}

describe('the shipped notice templates', () => {
  for (const language of ['de', 'en'] as const) {
    it(`${language}: every placeholder is filled from the config`, () => {
      const text = render(language);
      expect(text).not.toMatch(/\{\{|\}\}/);
      for (const fact of Object.values(SAMPLE_NOTICE_FACTS)) expect(text).toContain(fact);
      expect(text).toContain('!withdraw');
      expect(text).toContain('!mydata');
      expect(text).toContain('@dpo:example.org'); // the admins can take a withdrawal too
      // The seed's link form that clients rendered as ".../datenschutz&gt;" is gone.
      expect(text).not.toMatch(/<https?:/);
    });

    it(`${language}: the retention and evidence periods are the configured ones, nothing else`, () => {
      const text = render(language, {
        retention: { recordingDays: 7, evidenceDaysAfterPurge: 90 },
        limits: { unansweredDays: 21 },
      });
      const days = statedDays(text);
      for (const d of [7, 90, 21, DIRECT_ROOM_GRACE_DAYS]) expect(days).toContain(d);
      expect(days.every((d) => [7, 90, 21, DIRECT_ROOM_GRACE_DAYS].includes(d))).toBe(true);
      // No claim that recordings stay until withdrawal when the config deletes them.
      expect(text).not.toMatch(
        /bis zu Ihrem Widerruf|bis eine eingeladene Person|until you withdraw|until an invitee/,
      );
    });

    it(`${language}: says where consent is asked and who sees an answer, as configured`, () => {
      const direct = render(language, { consent: { ask: 'direct' } });
      expect(direct).toMatch(
        /fragt der Bot jede eingeladene Person in einer Direktnachricht|asks each invitee in a direct message/,
      );
      expect(direct).toMatch(/nur die Zahl|only the number/);
      expect(direct).not.toMatch(
        /fragt der Bot im Chatraum|asks in the meeting's chat room|sichtbar|visible to everyone/,
      );
      const room = render(language, { consent: { ask: 'room' } });
      expect(room).toMatch(
        /Reaktionen sind für alle im Chatraum sichtbar|Reactions are visible to everyone in the chat room/,
      );
      expect(room).not.toMatch(/nur die Zahl|only the number/);
      const named = render(language, { consent: { ask: 'direct', showNames: true } });
      expect(named).toMatch(/Betriebsvereinbarung|works agreement/);
      expect(named).not.toMatch(/nur die Zahl|only the number/);
    });

    it(`${language}: tells guests how they answer on the web page only where guests can be invited`, () => {
      const { guestsAsked } = catalogue(language).noticeFacts;
      const http = { enabled: true, publicUrl: 'https://meetbot.example.org/' };
      expect(render(language, { http })).toContain(guestsAsked);
      expect(render(language)).not.toContain(guestsAsked);
      expect(render(language, { http: { enabled: true } })).not.toContain(guestsAsked);
    });

    it(`${language}: the legal basis of the meetings is the one for colleagues or for customers`, () => {
      const colleagues = render(language, { notice: { ...SAMPLE_NOTICE_FACTS, legalBasis: 'colleagues' } });
      expect(colleagues).toMatch(/Beschäftigten|employees/);
      expect(colleagues).not.toMatch(/Kunden|customers/);
      const customers = render(language, { notice: { ...SAMPLE_NOTICE_FACTS, legalBasis: 'customers' } });
      expect(customers).toMatch(/Kunden|customers/);
      expect(customers).not.toMatch(/Beschäftigten|employees/);
    });

    it(`${language}: names the recipients, where the data is processed, and every right (Art. 13/14)`, () => {
      const text = render(language);
      expect(text).toContain(SAMPLE_NOTICE_FACTS.homeserverOperator);
      expect(text).toContain(SAMPLE_NOTICE_FACTS.thirdCountry);
      expect(text).toContain(SAMPLE_NOTICE_FACTS.dpo);
      expect(text).toContain(SAMPLE_NOTICE_FACTS.logRetention);
      expect(text).not.toMatch(/sicheren Drittstaat|third country that is safe/);
      // The seed's sentences that contradict the processor contract are gone.
      expect(text).not.toMatch(
        /keinen Einfluss|nicht vollumfänglich Einfluss|no influence|full influence|eigenen Zwecken|own purposes/,
      );
      for (const article of [15, 16, 17, 18, 20, 21, 22, 77, 14]) expect(text).toContain(`Art. ${article}`);
      expect(text).toMatch(/Art\. 7 Abs\. 1|Art\. 7\(1\)/); // the basis of the bot's own records
    });

    it(`${language}: without notice.dpo says that none is appointed, and names the contact`, () => {
      const { dpo: _, ...facts } = SAMPLE_NOTICE_FACTS;
      const text = render(language, { notice: facts });
      expect(text).toMatch(/ist nicht benannt|No data protection officer is appointed/);
      expect(text).not.toContain(SAMPLE_NOTICE_FACTS.dpo);
    });

    it(`${language}: says what "deleted" means on this BBB server, and no "deleted at once" beside it`, () => {
      const text = render(language);
      expect(text).toContain(SAMPLE_NOTICE_FACTS.finalDeletion);
      expect(text).not.toMatch(
        /löscht der Bot die Aufzeichnungen der Besprechung sofort|deletes the meeting's recordings at once/,
      );
    });
  }

  it('de: tells how consent is stored (a reaction in the ledger with the notice version), not "in Videoform"', () => {
    const text = render('de');
    expect(text).not.toContain('Videoform');
    expect(text).toContain('Reaktion ✅');
    expect(text).toContain('Einwilligungsprotokoll');
    expect(text).toContain('SHA-256');
  });

  it('a changed fact is a new notice version', () => {
    const a = loadNotice(SHIPPED.de, 'de', config());
    const b = loadNotice(SHIPPED.de, 'de', config({ retention: { recordingDays: 14 } }));
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b.sha256).not.toBe(a.sha256);
  });
});

describe('refusing a notice with gaps', () => {
  it('names the config key of each unfilled placeholder', () => {
    const { bbbProviderPrivacyUrl: _, ...facts } = SAMPLE_NOTICE_FACTS;
    const error = thrown(ConfigError, () => loadNotice(SHIPPED.de, 'de', config({}, facts), 'config.json'));
    expect(error.message).toContain('Invalid configuration in config.json');
    expect(error.problems).toEqual([
      `notice.bbbProviderPrivacyUrl: missing, the notice ${SHIPPED.de} uses {{bbbProviderPrivacyUrl}} (set it, or point notice.* at your own text)`,
    ]);
  });

  it('refuses without the facts the short first layer shows', () => {
    expect(() => loadNotice(SHIPPED.en, 'en', config({}, {}))).toThrow(
      /notice\.controller: missing[\s\S]*notice\.contact: missing[\s\S]*notice\.bbbProvider: missing/,
    );
  });

  it('refuses without notice.finalDeletion, whatever the text: every deletion message says it', () => {
    const own = join(mkdtempSync(join(tmpdir(), 'notice-')), 'own.txt');
    writeFileSync(own, 'Unser eigener Hinweis.');
    const { finalDeletion: _, ...facts } = SAMPLE_NOTICE_FACTS;
    expect(() => loadNotice(own, 'de', config({}, facts))).toThrow(/notice\.finalDeletion: missing/);
  });

  it("an operator's own text may use no placeholders, or only known ones", () => {
    const own = join(mkdtempSync(join(tmpdir(), 'notice-')), 'own.txt');
    writeFileSync(own, 'Unser eigener Hinweis.\r\n\r\nKontakt: {{contact}}\n');
    expect(
      loadNotice(own, 'de', config({}, { ...SAMPLE_NOTICE_FACTS, bbbProviderPrivacyUrl: undefined })).text,
    ).toBe('Unser eigener Hinweis.\n\nKontakt: datenschutz@example.org');
    writeFileSync(own, 'Hallo {{kontakt}}');
    expect(() => loadNotice(own, 'de', config())).toThrow(`${own} uses the unknown placeholder {{kontakt}}`);
  });
});

describe('deletion on withdrawal, as the BBB front-end allows it (bbb.acceptUnconfirmedDeletion)', () => {
  const bbb = (accept: boolean) => ({
    bbb: {
      url: 'https://bbb.example.org/bigbluebutton/',
      secret: 'secret-secret',
      acceptUnconfirmedDeletion: accept,
    },
  });
  for (const language of ['de', 'en'] as const) {
    const facts = catalogue(language).noticeFacts;

    it(`${language}: promises deletion on withdrawal where deletions can be confirmed`, () => {
      const text = render(language);
      expect(text).toContain(facts.withdrawalDeletion(true));
      expect(text).not.toContain(facts.withdrawalDeletion(false));
    });

    it(`${language}: promises no deletion by the bot behind a front-end that cannot confirm it`, () => {
      const text = render(language, bbb(true));
      expect(text).toContain(facts.withdrawalDeletion(false));
      expect(text).not.toContain(facts.withdrawalDeletion(true));
      expect(text).not.toMatch(
        /löscht der Bot die Aufzeichnungen|bestehende Aufzeichnungen der Besprechung löscht er|the bot deletes the meeting's recordings|it deletes the meeting's existing recordings/,
      );
    });

    it(`${language}: the first layer says the same`, () => {
      const layer = (botDeletes: boolean) =>
        catalogue(language).noticeFirstLayer({
          title: 'T',
          version: 'v',
          controller: 'C',
          contact: 'dpo@example.org',
          bbbProvider: 'P',
          recordingDays: 30,
          prefix: '!',
          fullText: 'https://x',
          ask: 'direct',
          namesShown: false,
          botDeletes,
        }).text;
      expect(layer(true)).toMatch(/werden dann gelöscht|are then deleted/);
      expect(layer(false)).not.toMatch(/werden dann gelöscht|are then deleted/);
      expect(layer(false)).toMatch(
        /kann auf diesem BigBlueButton-Server nichts löschen|cannot delete anything on this BigBlueButton server/,
      );
    });
  }
});
