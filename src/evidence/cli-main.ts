import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { drizzle } from '../db/drizzle.js';
import type { Db } from '../db/open.js';
import * as schema from '../db/schema.js';
import { EVIDENCE_USAGE, type EvidenceArgs, parseEvidenceArgs } from './args.js';
import { formatEvidence } from './format.js';
import { buildEvidence } from './report.js';

/** Opens the database read-only: the report changes nothing, not even the migrations. */
function openReadOnly(path: string): Db {
  const sqlite = new Database(path, { readonly: true, fileMustExist: true });
  return drizzle(sqlite, { schema }) as Db;
}

function main(): number {
  let args: EvidenceArgs;
  try {
    args = parseEvidenceArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${EVIDENCE_USAGE}`);
    return 2;
  }
  let config: ReturnType<typeof loadConfigFile>;
  try {
    config = loadConfigFile(args.config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 2;
  }
  const path = resolve(config.database.path);
  if (!existsSync(path)) {
    console.error(`The database ${path} does not exist (database.path in ${args.config}).`);
    return 1;
  }
  const db = openReadOnly(path);
  try {
    const report = buildEvidence(db, args.scope);
    if (args.scope.meetingId !== undefined && report.meetings.length === 0) {
      console.error(`There is no meeting #${args.scope.meetingId} in ${path}.`);
      return 1;
    }
    const text = formatEvidence(report, args.format);
    if (args.output) {
      writeFileSync(args.output, text, { mode: 0o600 });
      console.error(`${report.meetings.length} meeting(s) written to ${args.output}`);
    } else process.stdout.write(text);
    return 0;
  } finally {
    db.$client.close();
  }
}

process.exitCode = main();
