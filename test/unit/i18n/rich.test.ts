import { describe, expect, it } from 'vitest';
import { de } from '../../../src/i18n/de.js';
import { en } from '../../../src/i18n/en.js';
import { bold, mention, rich } from '../../../src/i18n/rich.js';

describe('rich messages', () => {
  it('escape user text in HTML and keep it verbatim in plain text', () => {
    const title = '<img src=x onerror=alert(1)> & "quotes"';
    const message = rich`Meeting ${bold(title)}`;
    expect(message.text).toBe(`Meeting ${title}`);
    expect(message.html).toBe('Meeting <b>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;</b>');
  });
  it('collect mentions for m.mentions and link pills', () => {
    const message = rich`Hi ${mention('@eve:example.org', 'Eve <3')}`;
    expect(message.mentions).toEqual(['@eve:example.org']);
    expect(message.html).toContain('href="https://matrix.to/#/%40eve%3Aexample.org"');
    expect(message.html).toContain('Eve &lt;3');
  });
  it('have the same keys in German and English', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(de).sort());
    expect(Object.keys(en.commands).sort()).toEqual(Object.keys(de.commands).sort());
  });
});
