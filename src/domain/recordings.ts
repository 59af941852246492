// Recording states and what a listing by BBB means for them (design.md §3.6–3.7). Pure rules.

/**
 * - `processing`: BBB lists it, not published yet.
 * - `available`: published (or unpublished): it exists and can be played.
 * - `purge-pending`: must be deleted (withdrawal, retention, !purge); retried until BBB confirms.
 * - `purged`: BBB confirmed it is deleted.
 */
export const RECORDING_STATES = ['processing', 'available', 'purge-pending', 'purged'] as const;
export type RecordingState = (typeof RECORDING_STATES)[number];

export function isRecordingState(value: string): value is RecordingState {
  return (RECORDING_STATES as readonly string[]).includes(value);
}

/** What BBB says about a recording, in its own words (getRecordings `state`). */
export type BbbRecordingState = 'processing' | 'available' | 'deleted';

export function bbbRecordingState(state: string): BbbRecordingState {
  switch (state) {
    case 'published':
    case 'unpublished':
      return 'available';
    case 'deleted':
      return 'deleted';
    default:
      return 'processing';
  }
}

export type ListingOutcome =
  /** Unknown so far and worth keeping track of. */
  | { type: 'discovered'; state: 'processing' | 'available' | 'purge-pending' }
  | { type: 'became'; state: RecordingState }
  | { type: 'unchanged' };

/**
 * A recording as BBB lists it. `known`: the bot's state (undefined: never seen); `purgeOrdered`: a
 * withdrawal ordered every recording of its meeting deleted — then it must go, even one BBB lists
 * only now, and one that came back after a delete.
 */
export function onListed(
  known: RecordingState | undefined,
  bbb: BbbRecordingState,
  purgeOrdered: boolean,
): ListingOutcome {
  if (known === undefined) {
    if (bbb === 'deleted') return { type: 'unchanged' }; // deleted before we ever saw it
    return { type: 'discovered', state: purgeOrdered ? 'purge-pending' : bbb };
  }
  // One waiting for deletion is marked purged by the purge, which records it and tells whom it told
  // "not deleted yet" (a listing can see the delete first when BBB's answer to it was lost).
  if (bbb === 'deleted')
    return known === 'purged' || known === 'purge-pending'
      ? { type: 'unchanged' }
      : { type: 'became', state: 'purged' };
  // BBB still (or again) lists it as existing.
  if (known === 'purged' || purgeOrdered) {
    return known === 'purge-pending' ? { type: 'unchanged' } : { type: 'became', state: 'purge-pending' };
  }
  if (known === 'processing' && bbb === 'available') return { type: 'became', state: 'available' };
  return { type: 'unchanged' };
}
