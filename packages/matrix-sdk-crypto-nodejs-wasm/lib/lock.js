// One process per crypto store. Two processes with the same device diverge (each uploads its own
// one-time keys, ratchets its own sessions) and wedge the device, so a second opener is refused.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { CryptoStoreError } = require('./errors');

const LOCK_NAME = 'store.lock';
const processStartedAt = new Date(Date.now() - process.uptime() * 1000).toISOString();
const held = require('./shared').locks;

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM'; // exists, owned by someone else
  }
}

function readLock(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Takes the store's lock file, created with O_EXCL semantics (hard link of a complete temporary file,
 * so a reader never sees a half-written lock). A lock is stale only when its pid is dead on this host
 * (a crash, SIGKILL, a power cut): then it is taken over and `onTakeover` hears whose it was. A lock of
 * another host, or of a pid alive here (even if reused by another program), is never taken.
 * @param {(owner: { pid: number, host: string, startedAt?: string }) => void} [onTakeover]
 * @returns {() => void} release
 */
function acquireLock(dir, ids, onTakeover) {
  const file = path.join(dir, LOCK_NAME);
  const me = { pid: process.pid, host: os.hostname(), startedAt: processStartedAt, ...ids };
  const tmp = path.join(dir, `${LOCK_NAME}.${process.pid}.${Date.now()}.tmp`);
  fs.writeFileSync(tmp, `${JSON.stringify(me)}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.linkSync(tmp, file);
        held.add(file);
        let released = false;
        return () => {
          if (released) return;
          released = true;
          held.delete(file);
          const current = readLock(file);
          if (
            current &&
            current.pid === me.pid &&
            current.host === me.host &&
            current.startedAt === me.startedAt
          ) {
            fs.rmSync(file, { force: true });
          }
        };
      } catch (err) {
        if (err.code !== 'EEXIST') throw err;
      }
      const owner = readLock(file);
      const stale =
        owner !== undefined &&
        owner.host === me.host &&
        Number.isInteger(owner.pid) &&
        !(owner.pid === process.pid ? held.has(file) : pidAlive(owner.pid));
      if (!stale) {
        const who = owner
          ? `process ${owner.pid} on ${owner.host} (started ${owner.startedAt})`
          : 'an unknown process (the lock file is unreadable)';
        throw new CryptoStoreError(
          'LOCKED',
          `The crypto store ${dir} is in use by ${who}. Only one bot process may use a crypto store; stop the other one. ` +
            `If you are sure no other process uses it${owner && owner.host !== me.host ? ' (it was locked from another host)' : ''}, delete ${file}.`,
          { storagePath: dir, ...ids },
        );
      }
      fs.rmSync(file, { force: true }); // stale: its process is gone
      onTakeover?.({ pid: owner.pid, host: owner.host, startedAt: owner.startedAt });
    }
    throw new CryptoStoreError('LOCKED', `Could not take the lock ${file} (it keeps reappearing).`, {
      storagePath: dir,
      ...ids,
    });
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

module.exports = { acquireLock, LOCK_NAME };
