import { createServer } from 'node:net';
import { test as base, describe, vi } from 'vitest';
import { type DeepPartial, deepMerge, type E2eBotConfig } from './bot-process.js';
import { e2eHomeserver } from './context.js';
import type { CryptoUser } from './crypto-user.js';
import type { TestHomeserver, TestUser } from './homeserver.js';
import { type MeetingWorld, registerPeople, startMeetingWorld } from './meeting-helpers.js';

// The e2e world as a vitest fixture: one bot process (with its BBB simulator) per test file, started
// when the first test asks for `w` or `botId` and stopped after the file's last test. A file whose
// bot needs other settings makes its own `it` with them: `const it = worldTest({ retention: … })`.
// describeWorld starts it in a beforeAll: a fixture first set up inside a test counts against that
// test's timeout, one set up in a hook against the (longer) hook timeout.

export interface WorldFixtures {
  w: MeetingWorld;
  /** The bot's user ID. */
  botId: string;
  /** A person the bot's config names as its admin: only in a world made with `{ admin: name }`. */
  admin: TestUser;
  /** Clients that really encrypt, started by the file's tests, stopped after its last test. */
  clients: CryptoUser[];
}

function homeserver(): TestHomeserver {
  const hs = e2eHomeserver();
  if (!hs) throw new Error('no homeserver: the e2e world needs one (skip the describe with e2eHomeserver())');
  return hs;
}

/** `config` may be made when the world starts (e.g. with a port free then). */
export function worldTest(
  config: DeepPartial<E2eBotConfig> | (() => Promise<DeepPartial<E2eBotConfig>>) = {},
  opts: { admin?: string } = {},
) {
  async function world(admin: TestUser | undefined, use: (w: MeetingWorld) => Promise<void>) {
    const settings = typeof config === 'function' ? await config() : config;
    const admins = admin ? { admins: [admin.userId] } : {};
    const w = await startMeetingWorld(homeserver(), { config: deepMerge(settings, admins) });
    try {
      await use(w);
    } finally {
      await w.close();
    }
  }
  return base.extend<WorldFixtures>({
    w: [
      opts.admin
        ? async ({ admin }, use) => world(admin, use)
        : // biome-ignore lint/correctness/noEmptyPattern: vitest reads the dependencies from it
          async ({}, use) => world(undefined, use),
      { scope: 'file' },
    ],
    botId: [async ({ w }, use) => use(w.botUser.userId), { scope: 'file' }],
    admin: [
      // biome-ignore lint/correctness/noEmptyPattern: as above (no dependencies)
      async ({}, use) => use((await registerPeople(homeserver(), [opts.admin ?? 'Admin']))[0]),
      { scope: 'file' },
    ],
    clients: [
      // biome-ignore lint/correctness/noEmptyPattern: as above (no dependencies)
      async ({}, use) => {
        // matrix-js-sdk's module-level logger prints every step to the console; its errors still show.
        for (const level of ['log', 'info', 'debug'] as const)
          vi.spyOn(console, level).mockImplementation(() => {});
        const clients: CryptoUser[] = [];
        try {
          await use(clients);
        } finally {
          for (const c of clients) c.stop();
        }
      },
      { scope: 'file' },
    ],
  });
}

/** Discovery and purge every few seconds (node-cron's seconds field): recordings come and go at once. */
export const FAST_RETENTION = { discoverySchedule: '*/2 * * * * *', purgeSchedule: '*/3 * * * * *' };

/** The bot's HTTP listener on a port free now (known before the bot starts: its public URL names it). */
export async function listenerOnFreePort() {
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const base = `http://127.0.0.1:${port}`;
  return { base, http: { enabled: true, host: '127.0.0.1', port, publicUrl: `${base}/` } };
}

/**
 * A describe of tests on the file's world (`worldIt`, its `worldTest`), skipped when there is no
 * homeserver; the world starts before its first test.
 */
export function describeWorld(worldIt: ReturnType<typeof worldTest>, name: string, body: () => void): void {
  describe.skipIf(!e2eHomeserver())(name, () => {
    worldIt.beforeAll(async ({ w }) => void w);
    body();
  });
}

/** The world with the bot's default e2e settings. */
export const it = worldTest();
