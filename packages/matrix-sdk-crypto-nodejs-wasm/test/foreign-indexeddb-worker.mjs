// Child process for foreign-indexeddb.test.ts: opens one store, lets another copy of fake-indexeddb
// replace the global indexedDB, opens a second store, changes it, closes both and prints its key.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { OlmMachine, UserId, DeviceId } = require('../index.js');
const dir = process.argv[2];
const open = (device) =>
  OlmMachine.initialize(new UserId('@bot:example.org'), new DeviceId(device), `${dir}/${device}`, '', 0);

const first = await open('FIRST'); // installs the adapter's IndexedDB (CommonJS build)
const before = globalThis.indexedDB;
await import('fake-indexeddb/auto'); // the ES module build replaces it
if (globalThis.indexedDB === before) throw new Error('indexedDB was not replaced');
const second = await open('SECOND');
await second.updateTrackedUsers([new UserId('@alice:example.org')]);
process.stdout.write(`${JSON.stringify({ key: second.identityKeys.ed25519.toBase64() })}\n`);
await Promise.all([second.close(), first.close()]);
