// Pure pieces of the guests' pages: the page's language, escaping, which buttons a guest gets, names.
import { describe, expect, it } from 'vitest';
import { guestChoices, guestName } from '../../../src/domain/guest.js';
import { MAX_NAME_LENGTH } from '../../../src/domain/names.js';
import { html } from '../../../src/http/html.js';
import { guestLanguage } from '../../../src/i18n/guest-page.js';

describe('guest page language', () => {
  it('an explicit choice wins, then the browser’s preference by weight, then the bot’s language', () => {
    expect(guestLanguage('en', 'de-DE,de;q=0.9', 'de')).toBe('en');
    expect(guestLanguage(undefined, 'fr-FR,en-GB;q=0.8,de;q=0.5', 'de')).toBe('en');
    expect(guestLanguage(undefined, 'en;q=0.2,de-AT;q=0.9', 'en')).toBe('de');
    expect(guestLanguage(undefined, 'fr, es', 'de')).toBe('de');
    expect(guestLanguage('xx', undefined, 'en')).toBe('en');
    expect(guestLanguage(undefined, 'de;q=0', 'en')).toBe('en');
  });
});

describe('html template', () => {
  it('escapes every value, keeps markup it made itself', () => {
    const name = '<img src=x onerror=alert(1)> & "quotes"';
    const inner = html`<b>${name}</b>`;
    expect(html`<p title="${name}">${inner}${[name, 1]}${null}${false}</p>`.value).toBe(
      '<p title="&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;"><b>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;</b>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;1</p>',
    );
  });
});

describe('what a guest may do', () => {
  it('answers until opening, joins while open, withdraws an agreement at any time', () => {
    expect(guestChoices('collecting', 'pending')).toEqual({ answer: true, join: false, withdraw: false });
    expect(guestChoices('collecting', 'agreed')).toEqual({ answer: true, join: false, withdraw: true });
    expect(guestChoices('open', 'agreed')).toEqual({ answer: false, join: true, withdraw: true });
    expect(guestChoices('open', 'declined')).toEqual({ answer: false, join: true, withdraw: false });
    // Invited to an open meeting: may answer until they did.
    expect(guestChoices('open', 'pending')).toEqual({ answer: true, join: true, withdraw: false });
    expect(guestChoices('closed', 'agreed')).toEqual({ answer: false, join: false, withdraw: true });
    expect(guestChoices('cancelled', 'declined')).toEqual({ answer: false, join: false, withdraw: false });
  });
});

describe('guest names', () => {
  it('one line, no control or bidi characters, capped; empty is refused', () => {
    expect(guestName('  Erika\nMuster\u202e ')).toBe('Erika Muster');
    expect(guestName('\u0000\u200f  ')).toBeNull();
    expect([...(guestName('x'.repeat(500)) ?? '')]).toHaveLength(MAX_NAME_LENGTH);
  });
});
