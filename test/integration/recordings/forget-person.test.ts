// Retention that ends (design.md §3.7): a meeting that never opened expires after
// limits.unansweredDays and is pruned like a cancelled one; once no meeting names a person, every
// row and marker about them goes (DM room after a grace period, playback and undeliverable markers,
// audit entries without a meeting after the evidence period).
import { afterEach, describe, expect, it } from 'vitest';
import { de } from '../../../src/i18n/de.js';
import { ALICE, BOB, createHarness, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { DAY, endAndDiscover, joinAs, lastMeetingId } from './support.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** Every row of every table of the bot's database, as text (SQLite's own tables aside). */
function everyRow(): { table: string; row: string }[] {
  const sqlite = h.app.ctx.stores.db.$client;
  const tables = sqlite
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
    .all() as { name: string }[];
  return tables.flatMap(({ name }) =>
    (sqlite.prepare(`select * from "${name}"`).all() as Record<string, unknown>[]).map((row) => ({
      table: name,
      row: JSON.stringify(row),
    })),
  );
}

function tablesNaming(...needles: string[]): string[] {
  return [
    ...new Set(
      everyRow()
        .filter(({ row }) => needles.some((n) => row.includes(n)))
        .map(({ table }) => table),
    ),
  ];
}

describe('retention that ends', () => {
  it('expires a meeting nobody fully answered after limits.unansweredDays, then prunes it', async () => {
    h = await createHarness({ consent: { ask: 'direct' }, retention: { evidenceDaysAfterPurge: 10 } });
    await h.say(ORGANIZER, `!meeting Someday ${ALICE}`);
    const id = lastMeetingId(h);
    h.clock.advance(13 * DAY);
    expect((await h.app.retention.run()).expiredMeetings).toBe(0);
    h.clock.advance(1 * DAY);
    expect((await h.app.retention.run()).expiredMeetings).toBe(1);
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('cancelled');
    expect(h.chat.inRoom(ROOM).at(-1)?.text).toBe(de.meetingExpired('Someday', 14).text);
    expect(h.sim.sessions()).toHaveLength(0);
    h.clock.advance(11 * DAY);
    expect((await h.app.retention.run()).prunedMeetings).toBe(1);
    expect(h.app.ctx.stores.meetings.get(id)).toBeUndefined();
  });

  it('leaves no row naming a person once no meeting of theirs is left', async () => {
    h = await createHarness({
      consent: { ask: 'direct' },
      retention: { recordingDays: 1, evidenceDaysAfterPurge: 10 },
    });
    const store = h.app.ctx.stores;
    // A meeting Alice cannot be asked about at first (a "could not ask" note), then can.
    h.chat.unreachable.add(ALICE);
    await h.say(ORGANIZER, `!meeting Someday ${ALICE} ${BOB}`);
    const never = lastMeetingId(h);
    h.chat.unreachable.delete(ALICE);
    await h.app.tick();
    expect(store.meetings.dmPrompt(never, ALICE)).toBeDefined();

    // A recorded meeting: answers, links, a recording, a playback link sent to Alice.
    await h.say(ORGANIZER, `!meeting Weekly sync ${ALICE}`);
    const recorded = lastMeetingId(h);
    for (const user of [ORGANIZER, ALICE]) {
      const prompt = store.meetings.dmPrompt(recorded, user)!;
      await h.react(user, prompt.eventId, '✅', prompt.roomId);
    }
    await joinAs(h, ALICE);
    const recordId = await endAndDiscover(h, recorded);
    expect(store.state.read(`playback-sent:${recordId}:${ALICE}`)).toBeDefined();
    // A request about her own data: an audit entry without a meeting.
    await h.say(ALICE, '!mydata');

    // Every table that can name her does now.
    const before = tablesNaming(ALICE);
    for (const table of [
      'invitees',
      'consent_events',
      'link_deliveries',
      'intents',
      'audit_log',
      'direct_rooms',
      'dm_prompts',
      'kv',
      'room_notes',
    ]) {
      expect(before, table).toContain(table);
    }

    // The recording goes after a day; the unanswered meeting expires after 14; evidence 10 days later;
    // the DM room after its grace period.
    for (const days of [2, 14, 11, 31]) {
      h.clock.advance(days * DAY);
      await h.app.retention.run();
    }
    expect(store.meetings.ofUser(ALICE)).toEqual([]);
    expect(tablesNaming(ALICE, 'Alice')).toEqual([]);
  });
});
