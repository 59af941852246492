import { createRequire } from 'node:module';
import type * as Core from 'drizzle-orm';
import type * as BetterSqlite3Driver from 'drizzle-orm/better-sqlite3';
import type * as BetterSqlite3Migrator from 'drizzle-orm/better-sqlite3/migrator';
import type * as Migrator from 'drizzle-orm/migrator';
import type * as SqliteCore from 'drizzle-orm/sqlite-core';

// Every part of drizzle-orm the bot uses, from its CommonJS build, in one place (one instance of it).
// Node's ESM loader reads the package's very large package.json again for each of drizzle's modules,
// which made loading drizzle most of the bot's start-up (docs/benchmarks.md#restart-at-scale-private-prompts);
// the CommonJS loader does not. The types are drizzle's own.
const require = createRequire(import.meta.url);

export const {
  and,
  asc,
  desc,
  eq,
  exists,
  gte,
  inArray,
  isNotNull,
  isNull,
  like,
  lt,
  lte,
  ne,
  notExists,
  or,
  sql,
} = require('drizzle-orm') as typeof Core;
export const { index, integer, primaryKey, sqliteTable, text } =
  require('drizzle-orm/sqlite-core') as typeof SqliteCore;
export const { drizzle } = require('drizzle-orm/better-sqlite3') as typeof BetterSqlite3Driver;
export const { migrate } = require('drizzle-orm/better-sqlite3/migrator') as typeof BetterSqlite3Migrator;
export const { readMigrationFiles } = require('drizzle-orm/migrator') as typeof Migrator;
