// The BBB simulator and a client of it for the BBB client's tests, each simulator closed when the test
// that started it ends.
import { onTestFinished, test } from 'vitest';
import { BbbClient, type BbbClientOptions } from '../../../src/bbb/index.js';
import {
  type BbbSimulator,
  type BbbSimulatorOptions,
  type SimFlavour,
  startBbbSimulator,
} from '../../support/bbb-simulator.js';

export const SECRET = 'integration-secret';

/** A simulator started inside a test, closed when the test ends. */
export async function simulator(options: Partial<BbbSimulatorOptions> = {}): Promise<BbbSimulator> {
  const sim = await startBbbSimulator({ secret: SECRET, ...options });
  onTestFinished(() => sim.close());
  return sim;
}

/** A client of `sim` (sha256, no retries unless asked). */
export const clientOf = (sim: { url: string }, options: Partial<BbbClientOptions> = {}): BbbClient =>
  new BbbClient({ url: sim.url, secret: SECRET, algorithm: 'sha256', retries: 0, ...options });

/** A simulator of its own answering as `flavour` (default BBB 3.0), and a client of it. */
export async function simulatorAs(flavour?: SimFlavour): Promise<{ sim: BbbSimulator; bbb: BbbClient }> {
  const sim = await simulator(flavour ? { flavour } : {});
  return { sim, bbb: clientOf(sim) };
}

/** A test that asks for `sim` or `bbb` gets a simulator (BBB 3.0) of its own and a client of it. */
export const it = test.extend<{ sim: BbbSimulator; bbb: BbbClient }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  sim: async ({}, use) => use(await simulator()),
  bbb: async ({ sim }, use) => use(clientOf(sim)),
});
