import { test as base } from 'vitest';
import { createHarness, type Harness, type HarnessOptions } from './app-harness.js';

// Vitest fixtures for the integration suite. A test that asks for `h` gets a fresh harness (the real
// app on its own SQLite file, the BBB simulator, the in-memory chat port), closed after the test.
// A describe block sets other config with `it.override('harnessConfig', { … })` (likewise
// harnessOptions); a test that needs a config of its own asks for `harness` and calls it (every
// harness it makes is closed after the test).

export interface HarnessFixtures {
  /** Config keys over the harness's defaults (parseConfig input). */
  harnessConfig: Record<string, unknown>;
  harnessOptions: HarnessOptions;
  h: Harness;
  harness: (config?: Record<string, unknown>, options?: HarnessOptions) => Promise<Harness>;
}

export const it = base.extend<HarnessFixtures>({
  harnessConfig: {},
  harnessOptions: {},
  h: async ({ harnessConfig, harnessOptions }, use) => {
    const h = await createHarness(harnessConfig, harnessOptions);
    await use(h);
    await h.close();
  },
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  harness: async ({}, use) => {
    const made: Harness[] = [];
    await use(async (config = {}, options = {}) => {
      const h = await createHarness(config, options);
      made.push(h);
      return h;
    });
    for (const h of made) await h.close();
  },
});
