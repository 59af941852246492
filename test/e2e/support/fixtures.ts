import { test as base } from 'vitest';
import type { DeepPartial, E2eBotConfig } from './bot-process.js';
import { e2eHomeserver } from './context.js';
import { type MeetingWorld, startMeetingWorld } from './meeting-helpers.js';

// The e2e world as a vitest fixture: one bot process (with its BBB simulator) per test file, started
// when the first test asks for `w` or `botId` and stopped after the file's last test. A file whose
// bot needs other settings makes its own `it` with them: `const it = worldTest({ retention: … })`.
// Each describe starts it with `it.beforeAll(startWorld)`: a fixture first set up inside a test counts
// against that test's timeout, one set up in a hook against the (longer) hook timeout.

export interface WorldFixtures {
  w: MeetingWorld;
  /** The bot's user ID. */
  botId: string;
}

export function worldTest(config: DeepPartial<E2eBotConfig> = {}) {
  return base.extend<WorldFixtures>({
    w: [
      // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
      async ({}, use) => {
        const hs = e2eHomeserver();
        if (!hs)
          throw new Error('no homeserver: the e2e world needs one (skip the describe with e2eHomeserver())');
        const w = await startMeetingWorld(hs, { config });
        try {
          await use(w);
        } finally {
          await w.close();
        }
      },
      { scope: 'file' },
    ],
    botId: [async ({ w }, use) => use(w.botUser.userId), { scope: 'file' }],
  });
}

/** For `it.beforeAll`: starts the file's world before its first test. */
export async function startWorld({ w }: Pick<WorldFixtures, 'w'>): Promise<void> {
  void w;
}

/** The world with the bot's default e2e settings. */
export const it = worldTest();
