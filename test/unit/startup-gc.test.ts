import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { collectAfterStartup, STARTUP_SETTLE_MS } from '../../src/startup-gc.js';
import { logSink } from '../support/log-sink.js';

describe('one garbage collection after the start-up', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs once, when the start-up has settled, and logs what it returned', () => {
    const { log, records } = logSink('info');
    const gc = vi.fn();
    collectAfterStartup(log, gc);
    vi.advanceTimersByTime(STARTUP_SETTLE_MS - 1);
    expect(gc).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    vi.advanceTimersByTime(10 * STARTUP_SETTLE_MS);
    expect(gc).toHaveBeenCalledTimes(1);
    const line = records().find((l) => l.msg === 'start-up garbage collected');
    expect(line).toMatchObject({ rssBeforeMiB: expect.any(Number), rssAfterMiB: expect.any(Number) });
  });

  it('does not run once the bot has stopped', () => {
    const gc = vi.fn();
    const cancel = collectAfterStartup(logSink('info').log, gc);
    cancel();
    vi.advanceTimersByTime(2 * STARTUP_SETTLE_MS);
    expect(gc).not.toHaveBeenCalled();
  });

  it('does nothing without --expose-gc', () => {
    const { log, records } = logSink('info');
    collectAfterStartup(log, undefined);
    vi.advanceTimersByTime(2 * STARTUP_SETTLE_MS);
    expect(records()).toEqual([]);
  });
});
