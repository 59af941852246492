// The database holds personal data: the files the bot creates for it are its user's alone, whatever
// the umask (outside systemd, whose UMask=0077 does the same).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BotStateStore } from '../../../src/db/bot-state-store.js';
import { openDatabase } from '../../../src/db/open.js';
import { SqliteCryptoStorageProvider } from '../../../src/matrix/sdk/crypto-storage.js';

let dir: string;
let umask: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meetbot-private-'));
  umask = process.umask(0o022); // the usual login umask: files 0644 unless the bot says otherwise
});
afterEach(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('database files', () => {
  it('a new database, its folder and its -wal/-shm files are readable by the bot user only', () => {
    const file = join(dir, 'data', 'bot.db');
    const db = openDatabase(file);
    db.$client.exec('create table probe(x); insert into probe values (1)');
    expect(mode(join(dir, 'data'))).toBe('700');
    expect(mode(file)).toBe('600');
    expect(mode(`${file}-wal`)).toBe('600');
    expect(mode(`${file}-shm`)).toBe('600');
    db.$client.close();
  });
});

describe('the crypto store', () => {
  it("a new store folder (the device's keys) is readable by the bot user only", () => {
    const store = join(dir, 'state', 'crypto');
    new SqliteCryptoStorageProvider(store, {} as BotStateStore);
    expect(mode(store)).toBe('700');
    expect(mode(join(dir, 'state'))).toBe('700');
  });
});
