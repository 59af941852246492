// A purge over more recordings than SQLite accepts bound variables in one statement (32 766): the
// state changes of one run must still be stored (design.md §7: purge runs over tens of thousands).
import { expect } from 'vitest';
import { ROOM } from '../../support/app-harness.js';
import { it } from '../../support/fixtures.js';

const COUNT = 40_000;

it('marks 40 000 recordings purge-pending, failed and purged in one call each', ({ h }) => {
  const { recordings, db } = h.app.ctx.stores;
  const sql = db.$client;
  const now = h.clock.now();
  sql
    .prepare('insert into notices (sha256, language, text, first_used_at) values (?, ?, ?, ?)')
    .run('f'.repeat(64), 'de', 'notice', now);
  sql
    .prepare(
      `insert into meetings (id, room_id, title, organizer_id, state, language, notice_sha256, command_event_id, created_at)
       values (1, ?, 'Big', '@olga:test', 'closed', 'de', ?, '$cmd', ?)`,
    )
    .run(ROOM, 'f'.repeat(64), now);
  sql
    .prepare(
      `insert into sessions (id, meeting_id, bbb_meeting_id, record, created_at) values (1, 1, 'big', 1, ?)`,
    )
    .run(now);
  const insert = sql.prepare(
    `insert into recordings (record_id, session_id, meeting_id, state, discovered_at, delete_after)
     values (?, 1, 1, 'available', ?, ?)`,
  );
  const ids = Array.from({ length: COUNT }, (_, i) => `rec-${i}`);
  sql.transaction(() => {
    for (const id of ids) insert.run(id, now, now - 1);
  })();
  const count = (state: string) =>
    (sql.prepare('select count(*) as n from recordings where state = ?').get(state) as { n: number }).n;

  recordings.requestPurge(ids, 'retention', now);
  expect(count('purge-pending')).toBe(COUNT);
  recordings.markPurgeFailed(ids, 'BBB unreachable');
  expect((sql.prepare('select min(attempts) as a from recordings').get() as { a: number }).a).toBe(1);
  recordings.markPurged(ids, now);
  expect(count('purged')).toBe(COUNT);
});
