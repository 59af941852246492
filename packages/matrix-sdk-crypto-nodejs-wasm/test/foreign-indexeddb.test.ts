// Other code in the bot's process may install its own IndexedDB after the adapter did (a test
// importing `fake-indexeddb/auto` for a matrix-js-sdk client, say). The engine opens stores created
// afterwards in the new one, so the adapter must save them from there. Checked across processes: in
// the same process, the engine would find its databases in memory whatever the file held.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { DeviceId, OlmMachine, UserId } from '../index.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'foreign-indexeddb-worker.mjs');
const dir = mkdtempSync(path.join(tmpdir(), 'crypto-foreign-idb-'));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('a store opened after the global indexedDB was replaced is saved from the new one', async () => {
  const child = spawnSync(process.execPath, [WORKER, dir], { encoding: 'utf8' });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  const { key } = JSON.parse(child.stdout.trim());

  const again = await OlmMachine.initialize(
    new UserId('@bot:example.org'),
    new DeviceId('SECOND'),
    path.join(dir, 'SECOND'),
    '',
    0,
  );
  expect(again.identityKeys.ed25519.toBase64()).toBe(key);
  expect((await again.trackedUsers()).map(String)).toContain('@alice:example.org');
  await again.close();
});
