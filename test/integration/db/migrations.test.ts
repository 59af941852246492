import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MeetingsStore } from '../../../src/db/meetings-store.js';
import { openDatabase } from '../../../src/db/open.js';

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
    const journal = JSON.parse(readFileSync('migrations/meta/_journal.json', 'utf8')) as {
      entries: unknown[];
    };
    expect(applied.n).toBe(journal.entries.length);
    expect(new MeetingsStore(second).get(created!.id)?.title).toBe('kept');
    second.$client.close();
  });
});
