// Guests (design.md §3.11): invitees without a Matrix account. Their IDs stand where Matrix IDs
// stand (invitees, the consent ledger), so every rule about invitees counts them; Matrix IDs always
// start with '@', so the two never meet.

import { cleanName } from './names.js';

export const GUEST_ID_PREFIX = 'guest:';

/**
 * A guest's name as the organizer typed it, made safe to show by the one rule for every name
 * (domain/names.ts). Null when nothing is left.
 */
export function guestName(raw: string): string | null {
  return cleanName(raw) || null;
}

export function isGuestId(userId: string): boolean {
  return userId.startsWith(GUEST_ID_PREFIX);
}

/** What a guest's page offers, from the meeting's state and the guest's answer. */
export interface GuestChoices {
  /**
   * Agree/decline buttons: until the meeting opens (answers can be changed until then), and for a
   * guest invited to an open meeting until they answered.
   */
  answer: boolean;
  /** The join button: while the meeting is open; into a recorded session only after agreeing. */
  join: boolean;
  /** The withdraw button: whenever a stored agreement could be withdrawn. */
  withdraw: boolean;
}

export function guestChoices(
  meetingState: string,
  status: 'agreed' | 'declined' | 'withdrawn' | 'pending' | undefined,
  /** A meeting planned with --no-record asks nobody for consent (design.md §3.3), guests included. */
  noRecord = false,
  /** Whether the running session records (null: none runs): only those who agreed may join one that does. */
  recordedSession: boolean | null = null,
): GuestChoices {
  const before = meetingState === 'planned' || meetingState === 'collecting';
  return {
    answer:
      !noRecord && (before || (meetingState === 'open' && (status === 'pending' || status === undefined))),
    join: meetingState === 'open' && (recordedSession !== true || status === 'agreed'),
    withdraw: status === 'agreed',
  };
}
