import { defineConfig } from 'vitest/config';

// Three suites, one command (`npm test`): unit (pure rules), integration (real SQLite, the BBB
// simulator over HTTP, an in-memory chat port) and e2e (the bot process against a real Synapse).
export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          // The crypto adapter's own tests live in its package (runnable from there: npx vitest run).
          include: ['test/integration/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
