import { describe, expect, it } from 'vitest';
import { inviterAllowed } from '../../../src/matrix/intake/event-intake.js';

describe('who may invite the bot', () => {
  it('admins always, others only when an allow-list entry matches', () => {
    expect(inviterAllowed('@dpo:corp.example', [], ['@dpo:corp.example'])).toBe(true);
    expect(inviterAllowed('@eve:evil.example', [], ['@dpo:corp.example'])).toBe(false);
    expect(inviterAllowed('@ann:corp.example', ['@*:corp.example'], [])).toBe(true);
    expect(inviterAllowed('@ann:corp.example.evil', ['@*:corp.example'], [])).toBe(false);
    expect(inviterAllowed('@annXcorp.example', ['@ann.corp.example'], [])).toBe(false);
    expect(inviterAllowed('@bo:x', ['@b?:x'], [])).toBe(true);
  });
});
