import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MeetingsStore } from '../../../src/db/meetings-store.js';
import { openDatabase } from '../../../src/db/open.js';

const JOURNAL = JSON.parse(readFileSync('migrations/meta/_journal.json', 'utf8')) as {
  entries: { tag: string }[];
};

describe('migrations', () => {
  it('apply to a fresh file, and applying them again is harmless and keeps the data', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mig-')), 'bot.db');
    const first = openDatabase(path);
    const tables = first.$client
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
      )
      .all()
      .map((r) => (r as { name: string }).name);
    expect(tables).toEqual(
      expect.arrayContaining([
        'meetings',
        'sessions',
        'invitees',
        'consent_events',
        'recordings',
        'audit_log',
        'processed_events',
      ]),
    );
    expect(first.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(first.$client.pragma('foreign_keys', { simple: true })).toBe(1);
    const created = new MeetingsStore(first).create(
      {
        roomId: '!r:test',
        title: 'kept',
        organizerId: '@o:test',
        noRecord: false,
        language: 'de',
        notice: { sha256: 'abc', text: 'notice' },
        commandEventId: '$cmd',
        scheduledAt: null,
        invitees: [{ userId: '@o:test', displayName: 'O' }],
      },
      1,
    );
    first.$client.close();

    const second = openDatabase(path);
    const applied = second.$client.prepare('select count(*) as n from __drizzle_migrations').get() as {
      n: number;
    };
    expect(applied.n).toBe(JOURNAL.entries.length);
    expect(new MeetingsStore(second).get(created!.id)?.title).toBe('kept');
    second.$client.close();
  });
});

describe('migration 0003 (explicit session states, outbox) on a database from before it', () => {
  it('names every old session by its state, and re-orders what the old code may have left undone', async () => {
    const { default: Database } = await import('better-sqlite3');
    const path = join(mkdtempSync(join(tmpdir(), 'mig-')), 'bot.db');
    // A database as the previous release left it: migrations 0000–0002 only.
    const raw = new Database(path);
    for (const entry of JOURNAL.entries.slice(0, 3)) {
      for (const statement of readFileSync(`migrations/${entry.tag}.sql`, 'utf8').split(
        '--> statement-breakpoint',
      )) {
        raw.exec(statement);
      }
    }
    raw.exec(`
      insert into notices values ('abc', 'de', 'notice', 1);
      insert into meetings (id, room_id, title, organizer_id, state, language, notice_sha256, command_event_id, created_at)
        values (1, '!r', 'cancelled, recorded', '@o', 'cancelled', 'de', 'abc', '$c1', 1),
               (2, '!r', 'open', '@o', 'open', 'de', 'abc', '$c2', 1);
      insert into sessions (id, meeting_id, bbb_meeting_id, record, created_at, confirmed_at, ended_at, end_reason) values
        (1, 1, 'b1', 1, 10, 11, 20, 'cancelled'),
        (2, 2, 'b2', 1, 10, 11, 20, 'withdrawal'),
        (3, 2, 'b3', 0, 20, 21, null, null),
        (4, 2, 'b4', 0, 30, null, null, null);
      insert into consent_events (meeting_id, user_id, kind, at, notice_sha256, actor_id, source)
        values (1, '@a', 'withdraw', 30, 'abc', '@a', 'command');
    `);
    // Drizzle's record of what was applied, as the old release wrote it.
    raw.exec(
      'create table "__drizzle_migrations" (id integer primary key autoincrement, hash text not null, created_at numeric)',
    );
    const { readMigrationFiles } = await import('drizzle-orm/migrator');
    const files = readMigrationFiles({ migrationsFolder: 'migrations' });
    for (const m of files.slice(0, 3)) {
      raw
        .prepare('insert into "__drizzle_migrations" (hash, created_at) values (?, ?)')
        .run(m.hash, m.folderMillis);
    }
    raw.close();

    const db = openDatabase(path);
    const states = db.$client.prepare('select id, state from sessions order by id').all();
    expect(states).toEqual([
      { id: 1, state: 'ending' }, // BBB end may have failed unnoticed: asked again, notFound confirms
      { id: 2, state: 'ending' },
      { id: 3, state: 'running' },
      { id: 4, state: 'creating' },
    ]);
    const intents = db.$client.prepare('select key, kind from intents order by key').all();
    expect(intents).toEqual([
      { key: 'end:1', kind: 'end-session' },
      { key: 'end:2', kind: 'end-session' },
      // The withdrawal from the cancelled meeting that deleted nothing (issue #8, defect 1).
      { key: 'purge:1', kind: 'purge-recordings' },
    ]);
    const meeting = new MeetingsStore(db).get(2)!;
    expect(new MeetingsStore(db).model(meeting).sessions.map((s) => s.state)).toEqual([
      'ending',
      'running',
      'creating',
    ]);
    db.$client.close();
  });
});
