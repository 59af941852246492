import { describe, expect } from 'vitest';
import { BbbUnavailableError } from '../../../src/bbb/index.js';
import { clientOf, it } from './support.js';

const client = (sim: { url: string }, o: { retries?: number; timeoutMs?: number } = {}) =>
  clientOf(sim, { retryMinDelayMs: 10, retries: 3, ...o });

/** The error `p` rejects with, which must be a BbbUnavailableError. */
async function unavailable(p: Promise<unknown>): Promise<BbbUnavailableError> {
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BbbUnavailableError);
  return err as BbbUnavailableError;
}

describe('retries', () => {
  it('retries HTTP 500 and succeeds once the server recovers', async ({ sim }) => {
    sim.faults.set({ http500: ['create'], http500Times: 2 });
    const res = await client(sim).create({ name: 'W', meetingID: 'f-1' });
    expect(res.duplicate).toBe(false);
    expect(sim.requests().map((r) => r.call)).toEqual(['create', 'create', 'create']);
    expect(sim.sessions()).toHaveLength(1);
  });

  it('gives up after the configured retries with a BbbUnavailableError naming the call', async ({ sim }) => {
    sim.faults.set({ http500: true });
    const err = await unavailable(client(sim, { retries: 2 }).getRecordings({ meetingID: ['x'] }));
    expect(err).toMatchObject({ call: 'getRecordings', kind: 'http', status: 500, attempts: 3 });
    expect(sim.requests()).toHaveLength(3);
  });

  it('does not retry a FAILED answer', async ({ sim }) => {
    const wrong = clientOf(sim, { secret: 'wrong', retryMinDelayMs: 10, retries: 3 });
    await expect(wrong.end('x')).rejects.toMatchObject({ messageKey: 'checksumError' });
    expect(sim.requests()).toHaveLength(1);
  });
});

describe('timeouts and refused connections', () => {
  it('times out a slow server, retries, and reports a timeout', async ({ sim }) => {
    sim.faults.set({ slowMs: 400 });
    const started = Date.now();
    const err = await unavailable(client(sim, { timeoutMs: 100, retries: 1 }).isMeetingRunning('m'));
    expect(err).toMatchObject({ kind: 'timeout', attempts: 2 });
    expect(Date.now() - started).toBeLessThan(380 * 2);
  });

  it('succeeds on a slow server within the timeout', async ({ sim }) => {
    sim.faults.set({ slowMs: 50 });
    expect(await client(sim, { timeoutMs: 1000 }).isMeetingRunning('m')).toBe(false);
  });

  it('reports refused connections as a network error and recovers when they stop', async ({ sim }) => {
    const bbb = client(sim, { retries: 1 });
    expect(await bbb.isMeetingRunning('m')).toBe(false); // opens a kept-alive connection
    sim.faults.set({ refuseConnections: true });
    const err = await unavailable(bbb.version());
    expect(err).toMatchObject({ kind: 'network', attempts: 2 });
    sim.faults.clear();
    expect((await bbb.version()).version).toBe('2.0');
  });

  it('reports a server that is gone as unavailable', async ({ sim }) => {
    const bbb = client(sim, { retries: 0 });
    await sim.close();
    await expect(bbb.version()).rejects.toMatchObject({ name: 'BbbUnavailableError', kind: 'network' });
  });
});
