// Audit d (design.md §3.7, §4 `!mydata`, §5 logs): the data-protection officer's view. A person who
// plays every role (invitee, organizer who names a guest and invites someone, admin who withdraws on
// others' behalf): `!mydata` gives them every row that names them, and retention leaves none.
import { describe, expect } from 'vitest';
import type { SubjectAccess } from '../../../src/app/subject-access.js';
import { ADMIN, ALICE, ORGANIZER } from '../../support/app-harness.js';
import { it } from '../../support/fixtures.js';
import {
  copyReflects,
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
