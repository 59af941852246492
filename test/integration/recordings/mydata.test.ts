// `!mydata` as an Art. 15 answer (design.md §4): a summary and a JSON file by DM with everything the
// database holds about the person, each item with when it goes.
import { describe, expect } from 'vitest';
import type { SubjectAccess } from '../../../src/app/subject-access.js';
import { ALICE, ROOM } from '../../support/app-harness.js';
import { it } from '../../support/fixtures.js';
import { EVERY_TABLE_NAMING_A_PERSON, everyRow, fillEveryTableFor } from './support.js';

/** Whether the copy reflects one database row naming the person. */
function reflects(copy: SubjectAccess, table: string, row: Record<string, unknown>): boolean {
  const meeting = (id: unknown) => copy.meetings.find((m) => m.id === id);
  switch (table) {
    case 'invitees':
      return meeting(row.meeting_id)?.displayName === row.display_name;
    case 'consent_events':
      return !!meeting(row.meeting_id)?.answers.some((a) => a.id === row.id && a.answer === row.kind);
    case 'link_deliveries':
      return copy.meetings.some((m) => m.linksSent.some((l) => l.sessionId === row.session_id));
    case 'intents':
      return copy.pendingTasks.some((t) => t.id === row.id);
    case 'audit_log':
      return copy.auditEntries.some((a) => a.id === row.id && a.action === row.action);
    case 'direct_rooms':
      return copy.directRoom?.roomId === row.room_id;
    case 'dm_prompts':
      return meeting(row.meeting_id)?.privatePrompt?.eventId === row.event_id;
    case 'kv': {
      const recordId = /^playback-sent:(.+):@/.exec(String(row.key))?.[1];
      return copy.meetings.some((m) =>
        m.recordings.some((r) => r.recordId === recordId && r.playbackLinkSentAt !== null),
      );
    }
    case 'room_notes':
      return copy.notes.some((n) => n.note === row.note && n.roomId === row.room_id);
    default:
      return false;
  }
}

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
      expect(reflects(copy, table, values), `${table}: ${JSON.stringify(values)}`).toBe(true);
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
