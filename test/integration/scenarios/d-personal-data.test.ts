// Audit d (design.md §3.7, §4 `!mydata`, §5 logs): the data-protection officer's view. A person who
// plays every role (invitee, organizer who names a guest and invites someone, admin who withdraws on
// others' behalf): `!mydata` gives them every row that names them, and retention leaves none.
import { describe, expect } from 'vitest';
import type { SubjectAccess } from '../../../src/app/subject-access.js';
import { ADMIN, ALICE, BOB, CAROL, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { it } from '../../support/fixtures.js';
import {
  copyReflects,
  currentSession,
  DAY,
  everyRow,
  fillEveryTableFor,
  fillOtherRolesFor,
  tablesNaming,
} from '../recordings/support.js';

const EVERY_ROLE = {
  http: { enabled: true, port: 0, publicUrl: 'https://bot.example.org/' },
  admins: [ADMIN, ALICE],
  consent: { ask: 'direct' },
  retention: { recordingDays: 1, evidenceDaysAfterPurge: 10 },
};

/** Rows naming the person: their Matrix ID or their display name. */
const rowsNaming = (h: Parameters<typeof everyRow>[0], ...needles: string[]) =>
  everyRow(h).filter(({ row }) => needles.some((n) => row.includes(n)));

describe('a person in every role', () => {
  it('!mydata reflects every row naming them: guests they named, answers they recorded for others, the first layers naming them', async ({
    harness,
  }) => {
    const h = await harness(EVERY_ROLE);
    await fillEveryTableFor(h, ALICE);
    await fillOtherRolesFor(h, ALICE);
    const rows = rowsNaming(h, ALICE, 'Alice');
    const tables = new Set(rows.map((r) => r.table));
    for (const table of ['meetings', 'invitees', 'guests', 'consent_events', 'consent_texts']) {
      expect(tables, table).toContain(table);
    }

    await h.say(ALICE, '!mydata');
    const dm = h.app.ctx.stores.state.directRoom(ALICE)!;
    const file = h.chat.files.filter((f) => f.roomId === dm).at(-1)!;
    const copy = JSON.parse(file.data.toString('utf8')) as SubjectAccess;
    for (const { table, values } of rows) {
      expect(copyReflects(copy, ALICE, table, values), `${table}: ${JSON.stringify(values)}`).toBe(true);
    }
    // The guest's name is the one she typed; the other people appear by ID only.
    expect(copy.forOthers.invited.map((i) => i.guestName).filter(Boolean)).toEqual(['Erika Muster']);
    expect(file.data.toString('utf8')).not.toContain('"Bob"');
  });

  it('retention leaves no row naming them, nor the guest they named', async ({ harness }) => {
    const h = await harness(EVERY_ROLE);
    await fillEveryTableFor(h, ALICE);
    await fillOtherRolesFor(h, ALICE);
    expect(tablesNaming(h, 'Erika Muster')).toEqual(expect.arrayContaining(['guests', 'invitees']));
    for (const days of [2, 14, 11, 31]) {
      h.clock.advance(days * DAY);
      await h.app.retention.run();
    }
    // The notice names her as an admin (configuration), so it is left out here.
    expect(tablesNaming(h, ALICE, 'Alice', 'Erika Muster').filter((t) => t !== 'notices')).toEqual([]);
    expect(tablesNaming(h, ORGANIZER, 'Olga')).toEqual([]);
  });
});

describe('markers retention must find', () => {
  it("room mode: the first layer listing invitees, a non-invitee's ✅, a link that could not reach someone, a person who only asked for the notice and their data: none is left", async ({
    harness,
  }) => {
    const h = await harness({ retention: { recordingDays: 1, evidenceDaysAfterPurge: 10 } });
    const { id, prompt } = await h.plan(`Weekly sync ${ALICE}`);
    const [outsider] = await h.agree(prompt, CAROL);
    await h.agree(prompt, ORGANIZER);
    h.chat.unreachable.add(ALICE);
    await h.agree(prompt, ALICE);
    await h.app.tick();
    const session = currentSession(h, id);
    expect(session.record).toBe(true);
    await h.say(BOB, '!notice');
    await h.say(BOB, '!mydata');

    const state = h.app.ctx.stores.state;
    expect(state.isNoAnswer(id, outsider)).toBe(true);
    expect(tablesNaming(h, ALICE)).toContain('room_notes');
    expect(tablesNaming(h, 'Alice')).toContain('consent_texts');
    expect(tablesNaming(h, BOB)).toEqual(expect.arrayContaining(['direct_rooms', 'audit_log']));
    const bobsRoom = state.directRoom(BOB)!;

    h.sim.endMeeting(session.bbbMeetingId);
    await h.app.discovery.closeEndedMeetings();
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('closed');
    for (const days of [11, 31]) {
      h.clock.advance(days * DAY);
      await h.app.retention.run();
    }
    const left = (...needles: string[]) => tablesNaming(h, ...needles).filter((t) => t !== 'notices');
    expect(left(ALICE, 'Alice', CAROL, outsider, BOB, bobsRoom)).toEqual([]);
    expect(h.chat.inRoom(ROOM).length).toBeGreaterThan(0);
  });
});
