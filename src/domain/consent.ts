// Pure consent rules (design.md §3.2–3.4). No I/O, no Matrix, no BBB.

export type Answer = 'agree' | 'decline';
/**
 * Ledger entry kinds. `reset`: the person's answer was removed by someone else (a moderator redacted
 * their reaction before the meeting opened); they count as not having answered and are asked again.
 */
export type ConsentKind = Answer | 'withdraw' | 'reset';
export const CONSENT_KINDS: readonly ConsentKind[] = ['agree', 'decline', 'withdraw', 'reset'];

export function isConsentKind(value: string): value is ConsentKind {
  return (CONSENT_KINDS as readonly string[]).includes(value);
}
export type ConsentStatus = 'agreed' | 'declined' | 'withdrawn' | 'pending';

export const AGREE_KEY = '✅';
export const DECLINE_KEY = '❌';

/**
 * Maps a reaction key to an answer. Clients send the same emoji with or without the emoji
 * presentation selector U+FE0F (and some add a text selector U+FE0E): both count the same.
 */
export function answerFromReactionKey(key: string): Answer | null {
  const bare = key.replace(/[\uFE0E\uFE0F]/g, '').trim();
  if (bare === AGREE_KEY) return 'agree';
  if (bare === DECLINE_KEY) return 'decline';
  return null;
}

const STATUS_OF: Record<ConsentKind, ConsentStatus> = {
  agree: 'agreed',
  decline: 'declined',
  withdraw: 'withdrawn',
  reset: 'pending',
};

/** Latest ledger entry per user wins; events must be in ledger order. */
export function currentStatuses(
  invitees: readonly string[],
  events: readonly { userId: string; kind: ConsentKind }[],
): Map<string, ConsentStatus> {
  const statuses = new Map<string, ConsentStatus>(invitees.map((id) => [id, 'pending']));
  for (const event of events) {
    if (statuses.has(event.userId)) statuses.set(event.userId, STATUS_OF[event.kind]);
  }
  return statuses;
}

export interface RecordingDecision {
  record: boolean;
  agreed: string[];
  declined: string[];
  withdrawn: string[];
  pending: string[];
}

/** The product's core promise: record if and only if every invitee agreed (and recording was wanted). */
export function decideRecording(
  statuses: ReadonlyMap<string, ConsentStatus>,
  noRecord: boolean,
): RecordingDecision {
  const by = (status: ConsentStatus) => [...statuses].filter(([, s]) => s === status).map(([id]) => id);
  const agreed = by('agreed');
  return {
    record: !noRecord && statuses.size > 0 && agreed.length === statuses.size,
    agreed,
    declined: by('declined'),
    withdrawn: by('withdrawn'),
    pending: by('pending'),
  };
}

/**
 * The invariant of design.md §3.4: nobody gets a link to a recorded session without a stored
 * agreement. Unrecorded sessions are open to every invitee.
 */
export function mayReceiveLink(sessionRecords: boolean, status: ConsentStatus | undefined): boolean {
  return !sessionRecords || status === 'agreed';
}
