import { describe, expect, it } from 'vitest';
import { plannedInvitees, withinCap } from '../../../src/domain/bounds.js';

describe('invitee cap', () => {
  it('counts the organizer, the named people or else the room, once each, never the bot', () => {
    expect(plannedInvitees('@o:x', ['@a:x', '@o:x'], ['@z:x'], '@bot:x')).toEqual(['@o:x', '@a:x']);
    expect(plannedInvitees('@o:x', [], ['@a:x', '@bot:x', '@o:x'], '@bot:x')).toEqual(['@o:x', '@a:x']);
  });
  it('allows up to the cap and not one more', () => {
    expect(withinCap(98, 2, 100)).toBe(true);
    expect(withinCap(99, 2, 100)).toBe(false);
    expect(withinCap(0, 101, 100)).toBe(false);
  });
});
