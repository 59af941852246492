// State shared through globalThis: two copies of this package in one process (a test runner's and
// Node's, say) must see the same dirty marks (only one of them patches IndexedDB), the same held
// locks and the same open machines.
const KEY = Symbol.for('matrix-sdk-crypto-nodejs-wasm');
if (!globalThis[KEY]) globalThis[KEY] = { dirty: new Set(), locks: new Set(), machines: new Set() };
module.exports = globalThis[KEY];
