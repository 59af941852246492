import { describe, expect, it } from 'vitest';
import { automaticOpenTrigger, withdrawalEffect } from '../../../src/domain/lifecycle.js';
import { DAY_MS, deletionDue, evidencePrunable, isExpired } from '../../../src/domain/retention.js';

describe('opening', () => {
  const now = 1_000_000;
  it('opens when everyone answered, unless a start time is set', () => {
    expect(automaticOpenTrigger({ state: 'collecting', noRecord: false, scheduledAt: null }, true, now)).toBe(
      'all-answered',
    );
    expect(
      automaticOpenTrigger({ state: 'collecting', noRecord: false, scheduledAt: null }, false, now),
    ).toBeNull();
    expect(
      automaticOpenTrigger({ state: 'collecting', noRecord: false, scheduledAt: now + 1 }, true, now),
    ).toBeNull();
    expect(automaticOpenTrigger({ state: 'collecting', noRecord: false, scheduledAt: now }, false, now)).toBe(
      'scheduled',
    );
  });
  it('opens --no-record meetings at once or at their time, and never reopens', () => {
    expect(automaticOpenTrigger({ state: 'collecting', noRecord: true, scheduledAt: null }, false, now)).toBe(
      'no-record',
    );
    expect(
      automaticOpenTrigger({ state: 'collecting', noRecord: true, scheduledAt: now + 5 }, false, now),
    ).toBeNull();
    expect(automaticOpenTrigger({ state: 'open', noRecord: false, scheduledAt: null }, true, now)).toBeNull();
  });
});

describe('withdrawal', () => {
  it('depends on where the meeting is', () => {
    expect(withdrawalEffect('collecting', null)).toBe('open-unrecorded');
    expect(withdrawalEffect('open', true)).toBe('restart-unrecorded');
    expect(withdrawalEffect('open', false)).toBe('delete-earlier-recordings');
    expect(withdrawalEffect('closed', true)).toBe('delete-recordings');
    expect(withdrawalEffect('cancelled', null)).toBe('nothing');
  });
});

describe('retention', () => {
  it('expires after the configured days, or never with null', () => {
    expect(deletionDue(0, 30)).toBe(30 * DAY_MS);
    expect(deletionDue(0, null)).toBeNull();
    expect(isExpired(30 * DAY_MS, 30 * DAY_MS)).toBe(true);
    expect(isExpired(30 * DAY_MS, 30 * DAY_MS - 1)).toBe(false);
    expect(isExpired(null, Number.MAX_SAFE_INTEGER)).toBe(false);
  });
  it('prunes evidence only after the period since the last recording went', () => {
    expect(evidencePrunable(null, 0, 1e15)).toBe(false);
    expect(evidencePrunable(0, 365, 365 * DAY_MS)).toBe(true);
    expect(evidencePrunable(0, 365, 365 * DAY_MS - 1)).toBe(false);
  });
});
