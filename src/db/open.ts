import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { drizzle, migrate } from './drizzle.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** The project's migrations folder, found from this module whether it runs from src/ or from dist/. */
export const MIGRATIONS_FOLDER = findMigrations(dirname(fileURLToPath(import.meta.url)));

function findMigrations(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = resolve(dir, 'migrations');
    if (existsSync(resolve(candidate, 'meta/_journal.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`no migrations folder above ${from}`);
  }
}

/**
 * The database holds personal data: a new file (and a folder made for it) is the bot's user's alone,
 * whatever the umask. SQLite gives the -wal and -shm files the database file's mode.
 */
function createPrivately(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
}

/**
 * Opens (creating if needed) the SQLite file and applies pending migrations. WAL lets readers run
 * beside the writer; foreign keys are off by default in SQLite and must be switched on per connection.
 */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') createPrivately(resolve(path));
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  // better-sqlite3 builds SQLite with a 16 MiB page cache; the bot's reads are small and indexed, and
  // a cache filled by one start-up pass over a large database stays resident: 4 MiB is plenty.
  sqlite.pragma('cache_size = -4000');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return db;
}
