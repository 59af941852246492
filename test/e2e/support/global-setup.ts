// e2e global setup: pick the homeserver once per run and provide it to the test files.
// Policy: environment (E2E_HOMESERVER_URL + E2E_REGISTRATION_SECRET) > local chrooted Synapse
// (root on Debian) > skip with a loud notice. Under CI=true a missing homeserver fails the run,
// so CI can never go green without having run the e2e suite.
import type { TestProject } from 'vitest/node';
import type {} from './context.js'; // ProvidedContext declaration
import {
  type AcquiredHomeserver,
  acquireHomeserver,
  homeserverFromEnv,
  localSynapseUnavailableReason,
} from './homeserver-lifecycle.js';

const isCi = () => process.env.CI === 'true' || process.env.CI === '1';

function loudSkipNotice(reason: string): void {
  const lines = [
    'E2E SUITE SKIPPED - no Matrix homeserver available.',
    `Reason: ${reason}`,
    'The bot was NOT tested against a real homeserver in this run.',
    'To run it, either:',
    '  - run as root on Debian: scripts/synapse.sh starts a real Synapse in a chroot, or',
    '  - export E2E_HOMESERVER_URL=http://host:port and E2E_REGISTRATION_SECRET=<registration_shared_secret>',
  ];
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const bar = '!'.repeat(width);
  console.warn(['', bar, ...lines.map((l) => `! ${l.padEnd(width - 4)} !`), bar, ''].join('\n'));
}

// Both e2e projects (vitest.config.ts) use this setup; they share one homeserver, kept in the main
// process's globalThis (each project loads this file anew), released when the last project is done.
const shared = globalThis as typeof globalThis & {
  e2eHomeserver?: { acquired: Promise<AcquiredHomeserver | null>; users: number };
};

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  shared.e2eHomeserver ??= { acquired: acquire(), users: 0 };
  const mine = shared.e2eHomeserver;
  mine.users += 1;
  const hs = await mine.acquired;
  project.provide('homeserver', hs?.info ?? null);
  return async () => {
    mine.users -= 1;
    if (mine.users > 0) return;
    shared.e2eHomeserver = undefined;
    await hs?.release();
  };
}

async function acquire(): Promise<AcquiredHomeserver | null> {
  let hs: AcquiredHomeserver | null = null;
  let skipReason: string | null = null;

  if (!homeserverFromEnv()) {
    if (process.env.E2E_SKIP === '1') skipReason = 'E2E_SKIP=1 is set';
    else skipReason = localSynapseUnavailableReason();
  }
  if (skipReason) {
    if (isCi()) throw new Error(`CI=true but the e2e suite cannot get a homeserver: ${skipReason}`);
    loudSkipNotice(skipReason);
  } else {
    // A failure here is real (e.g. the chroot cannot be built): fail, do not skip silently.
    hs = await acquireHomeserver();
    console.log(
      `[e2e] homeserver ${hs.info.url} (${hs.source}${hs.startedHere ? ', started for this run' : ''})`,
    );
  }

  return hs;
}
