import { describe, expect, it } from 'vitest';
import {
  answerFromReactionKey,
  currentStatuses,
  decideRecording,
  mayReceiveLink,
} from '../../../src/domain/consent.js';

describe('reaction keys', () => {
  it('count ✅ and ❌ with or without the variation selector, nothing else', () => {
    expect(answerFromReactionKey('✅')).toBe('agree');
    expect(answerFromReactionKey('✅\uFE0F')).toBe('agree');
    expect(answerFromReactionKey('❌')).toBe('decline');
    expect(answerFromReactionKey('❌\uFE0F')).toBe('decline');
    expect(answerFromReactionKey('👍')).toBeNull();
    expect(answerFromReactionKey('✔️')).toBeNull();
    expect(answerFromReactionKey('')).toBeNull();
  });
});

describe('consent status', () => {
  const invitees = ['@o', '@a', '@b'];

  it('takes the latest ledger entry per invitee and ignores strangers', () => {
    const statuses = currentStatuses(invitees, [
      { userId: '@a', kind: 'agree' },
      { userId: '@a', kind: 'decline' },
      { userId: '@x', kind: 'agree' },
      { userId: '@b', kind: 'agree' },
      { userId: '@b', kind: 'withdraw' },
    ]);
    expect(Object.fromEntries(statuses)).toEqual({ '@o': 'pending', '@a': 'declined', '@b': 'withdrawn' });
  });

  it('records if and only if every invitee agreed', () => {
    const all = currentStatuses(
      invitees,
      invitees.map((userId) => ({ userId, kind: 'agree' as const })),
    );
    expect(decideRecording(all, false).record).toBe(true);
    expect(decideRecording(all, true).record).toBe(false);
    const one = currentStatuses(invitees, [
      { userId: '@o', kind: 'agree' },
      { userId: '@a', kind: 'agree' },
    ]);
    const decision = decideRecording(one, false);
    expect(decision.record).toBe(false);
    expect(decision.pending).toEqual(['@b']);
  });

  it('hands links to recorded sessions only to people who agreed', () => {
    expect(mayReceiveLink(true, 'agreed')).toBe(true);
    expect(mayReceiveLink(true, 'pending')).toBe(false);
    expect(mayReceiveLink(true, 'withdrawn')).toBe(false);
    expect(mayReceiveLink(true, undefined)).toBe(false);
    expect(mayReceiveLink(false, 'declined')).toBe(true);
  });
});
