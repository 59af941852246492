// Retention that ends (design.md §3.7): a meeting that never opened expires after
// limits.unansweredDays and is pruned like a cancelled one; once no meeting names a person, every
// row and marker about them goes (DM room after a grace period, playback and undeliverable markers,
// audit entries without a meeting after the evidence period).
import { describe, expect } from 'vitest';
import { de } from '../../../src/i18n/de.js';
import { ALICE, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { it } from '../../support/fixtures.js';
import { DAY, EVERY_TABLE_NAMING_A_PERSON, fillEveryTableFor, tablesNaming } from './support.js';

describe('retention that ends', () => {
  it('expires a meeting nobody fully answered after limits.unansweredDays, then prunes it', async ({
    harness,
  }) => {
    const h = await harness({ consent: { ask: 'direct' }, retention: { evidenceDaysAfterPurge: 10 } });
    const { id } = await h.plan(`Someday ${ALICE}`);
    h.clock.advance(13 * DAY);
    expect((await h.app.retention.run()).expiredMeetings).toBe(0);
    h.clock.advance(1 * DAY);
    expect((await h.app.retention.run()).expiredMeetings).toBe(1);
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('cancelled');
    expect(h.chat.inRoom(ROOM).at(-1)?.text).toBe(de.meetingExpired('Someday', 14, '!').text);
    expect(h.sim.sessions()).toHaveLength(0);
    h.clock.advance(11 * DAY);
    expect((await h.app.retention.run()).prunedMeetings).toBe(1);
    expect(h.app.ctx.stores.meetings.get(id)).toBeUndefined();
  });

  it('leaves no row naming a person once no meeting of theirs is left', async ({ harness }) => {
    const h = await harness({
      consent: { ask: 'direct' },
      retention: { recordingDays: 1, evidenceDaysAfterPurge: 10 },
    });
    await fillEveryTableFor(h, ALICE);

    // Every table that can name her does now.
    const before = tablesNaming(h, ALICE);
    for (const table of EVERY_TABLE_NAMING_A_PERSON) {
      expect(before, table).toContain(table);
    }

    // The recording goes after a day; the unanswered meeting expires after 14; evidence 10 days later;
    // the DM room after its grace period.
    for (const days of [2, 14, 11, 31]) {
      h.clock.advance(days * DAY);
      await h.app.retention.run();
    }
    expect(h.app.ctx.stores.meetings.ofUser(ALICE)).toEqual([]);
    expect(tablesNaming(h, ALICE, 'Alice')).toEqual([]);
    // The organizer too: the first layers and prompts (which name her) went with the last evidence.
    expect(tablesNaming(h, ORGANIZER, 'Olga')).toEqual([]);
    // The notice text (it names the controller, contacts and admins) went with its last meeting.
    expect(h.app.ctx.stores.meetings.noticeText(h.app.ctx.notice.sha256)).toBeUndefined();
  });
});
