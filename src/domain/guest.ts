// Guests (design.md §3.11): invitees without a Matrix account. Their IDs stand where Matrix IDs
// stand (invitees, the consent ledger), so every rule about invitees counts them; Matrix IDs always
// start with '@', so the two never meet.

export const GUEST_ID_PREFIX = 'guest:';

export const MAX_GUEST_NAME_LENGTH = 100;

/**
 * A guest's name as the organizer typed it, made safe to show (design.md §3.10): one line, control
 * and bidi characters removed, length capped. Null when nothing is left.
 */
export function guestName(raw: string): string | null {
  const clean = raw
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!clean) return null;
  return [...clean].slice(0, MAX_GUEST_NAME_LENGTH).join('');
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
  /** The join button: while the meeting is open. */
  join: boolean;
  /** The withdraw button: whenever a stored agreement could be withdrawn. */
  withdraw: boolean;
}

export function guestChoices(
  meetingState: string,
  status: 'agreed' | 'declined' | 'withdrawn' | 'pending' | undefined,
): GuestChoices {
  const before = meetingState === 'planned' || meetingState === 'collecting';
  return {
    answer: before || (meetingState === 'open' && (status === 'pending' || status === undefined)),
    join: meetingState === 'open',
    withdraw: status === 'agreed',
  };
}
