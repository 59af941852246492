// `!mydata` as an Art. 15 answer (design.md §4): a summary and a JSON file by DM with everything the
// database holds about the person, each item with when it goes.
import { describe, expect } from 'vitest';
import type { SubjectAccess } from '../../../src/app/subject-access.js';
import { ALICE, ROOM } from '../../support/app-harness.js';
import { it } from '../../support/fixtures.js';
import { copyReflects, EVERY_TABLE_NAMING_A_PERSON, everyRow, fillEveryTableFor } from './support.js';

describe('!mydata', () => {
  it('sends a summary and a JSON file by DM that reflect every row about the person', async ({ harness }) => {
    const h = await harness({ consent: { ask: 'direct' } });
    await fillEveryTableFor(h, ALICE);
    const rows = everyRow(h).filter(({ row }) => row.includes(ALICE));
    expect(new Set(rows.map((r) => r.table))).toEqual(new Set(EVERY_TABLE_NAMING_A_PERSON));

    await h.say(ALICE, '!mydata');
    const dm = h.app.ctx.stores.state.directRoom(ALICE)!;
    const file = h.chat.files.filter((f) => f.roomId === dm).at(-1)!;
    expect(file.mimetype).toBe('application/json');
    expect(h.chat.files.filter((f) => f.roomId === ROOM)).toEqual([]);
    const copy = JSON.parse(file.data.toString('utf8')) as SubjectAccess;
    expect(copy.userId).toBe(ALICE);
    for (const { table, values } of rows) {
      expect(copyReflects(copy, ALICE, table, values), `${table}: ${JSON.stringify(values)}`).toBe(true);
    }
    // Each item says when it goes: the recording's deletion date, the meetings' evidence rule.
    const recorded = copy.meetings.find((m) => m.title === 'Weekly sync')!;
    expect(recorded.recordings[0]?.deletion.on).toMatch(/^\d{4}-\d\d-\d\dT/);
    for (const m of copy.meetings) expect(m.deletion.rule).toContain('retention.evidenceDaysAfterPurge');
    // Links are credentials: none is in the copy.
    expect(file.data.toString('utf8')).not.toMatch(/\/join\?|checksum=/);
    const summary = h.chat.inRoom(dm).at(-1)!.text;
    expect(summary).toContain(file.name);
  });
});
