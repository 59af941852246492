// The BBB simulator and a client of it for the BBB client's tests: a test that asks for `sim` or `bbb`
// gets a simulator of its own (options from `simOptions`, set with `it.override`), closed after it.
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

export const it = test.extend<{
  simOptions: Partial<BbbSimulatorOptions>;
  sim: BbbSimulator;
  bbb: BbbClient;
}>({
  simOptions: {},
  sim: async ({ simOptions }, use) => use(await simulator(simOptions)),
  bbb: async ({ sim }, use) => use(clientOf(sim)),
});
