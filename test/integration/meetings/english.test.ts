import { describe, expect } from 'vitest';
import { ALICE, BOB, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { it } from '../../support/fixtures.js';

describe('in English', () => {
  it.override('harnessConfig', { language: 'en' });

  it('posts the English notice, asks in English and explains the decision in English', async ({ h }) => {
    await h.say(ORGANIZER, `!meeting Weekly sync ${ALICE} ${BOB}`);
    const [full, notice, prompt] = h.chat.inRoom(ROOM);
    expect(full?.text).toMatch(/^Full privacy notice, version [0-9a-f]{12} /);
    expect(full?.text).toContain('Information under Art. 13 and Art. 14 GDPR');
    expect(notice?.text).toMatch(
      /^Privacy notice for the video conference "Weekly sync" \(version [0-9a-f]{12}\) – the essentials:/,
    );
    expect(notice?.text).toContain('Deleted after 30 days.');
    expect(notice?.text).toContain(`Full privacy notice: https://matrix.to/#/`);
    expect(prompt?.text).toContain('may this meeting be recorded? React with ✅ (yes) or ❌ (no)');
    await h.react(ORGANIZER, h.promptOf(1), '✅');
    await h.react(ALICE, h.promptOf(1), '❌');
    await h.react(BOB, h.promptOf(1), '✅');
    expect(h.chat.inRoom(ROOM).some((m) => m.text.includes('Recording OFF – Alice declined.'))).toBe(true);
    expect(h.chat.dmOf(ALICE)[0]?.text).toContain('This session is not recorded.');
  });

  it('ties consent to the English notice version', async ({ h }) => {
    await h.say(ORGANIZER, `!meeting Sync ${ALICE}`);
    await h.react(ALICE, h.promptOf(1), '✅');
    const [entry] = h.app.ctx.stores.meetings.consentEvents(1);
    expect(entry?.noticeSha256).toBe(h.app.ctx.notice.sha256);
    expect(h.app.ctx.stores.meetings.noticeText(entry!.noticeSha256)).toContain('GDPR');
  });
});
