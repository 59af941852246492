import { describe, expect, it } from 'vitest';
import { automaticOpenTrigger, withdrawalEffect } from '../../../src/domain/lifecycle.js';
import { DAY_MS, deletionDue, evidenceCutoff } from '../../../src/domain/retention.js';

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
  it('deletes after the configured days, or keeps until withdrawal with null', () => {
    expect(deletionDue(0, 30)).toBe(30 * DAY_MS);
    expect(deletionDue(5, 1)).toBe(5 + DAY_MS);
    expect(deletionDue(0, null)).toBeNull();
  });
  it('lets evidence go only once the configured period has passed since the last recording went', () => {
    expect(evidenceCutoff(365 * DAY_MS, 365)).toBe(0);
    expect(evidenceCutoff(400 * DAY_MS, 0)).toBe(400 * DAY_MS);
  });
});
