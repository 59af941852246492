import { defineConfig } from 'vitest/config';

// Three suites, one command (`npm test`): unit (pure rules), integration (real SQLite, the BBB
// simulator over HTTP, an in-memory chat port) and e2e (the bot process against a real Synapse).
// Unit and integration files run first, one per core (vitest's default leaves one core idle, which on a
// two-core CI machine means one file at a time). Then the e2e files, three at a time: each starts its
// own bot process, BBB simulator, temp dir and users with unique names, and mostly waits for the
// homeserver, so files do not share state. Last, one at a time, the files whose users really encrypt
// (matrix-js-sdk with its WebAssembly crypto in the test process, beside the bot's): run beside two other
// files on a two-core machine, a room key once reached a person's client later than the test's 30 s wait.
const ENCRYPTED_E2E = [
  'test/e2e/crypto-kill.test.ts',
  'test/e2e/crypto-recovery.test.ts',
  'test/e2e/crypto-store.test.ts',
  'test/e2e/evidence-encrypted.test.ts',
  'test/e2e/lost-keys-consent.test.ts',
  'test/e2e/meeting-encrypted.test.ts',
  'test/e2e/private-answers-encrypted.test.ts',
];
const E2E = {
  globalSetup: ['test/e2e/support/global-setup.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], maxWorkers: '100%' } },
      {
        test: {
          name: 'integration',
          // The crypto adapter's own tests live in its package (runnable from there: npx vitest run).
          include: ['test/integration/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          testTimeout: 20_000,
          maxWorkers: '100%',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          exclude: ENCRYPTED_E2E,
          ...E2E,
          maxWorkers: 3,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'e2e-encrypted',
          include: ENCRYPTED_E2E,
          ...E2E,
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
