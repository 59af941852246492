// Retention rules (design.md §3.7). Pure: the clock comes in as `now`.

export const DAY_MS = 24 * 60 * 60 * 1000;

/** When a recording that started at `startedAt` must be gone. */
export function deletionDue(startedAt: number, recordingDays: number): number {
  return startedAt + recordingDays * DAY_MS;
}

/**
 * A meeting planned without a time that has not opened after `unansweredDays` expires (someone
 * never answered): it would otherwise keep its invitees and answers forever.
 */
export function expired(
  meeting: { state: string; scheduledAt: number | null; createdAt: number },
  unansweredDays: number,
  now: number,
): boolean {
  return (
    meeting.state === 'collecting' &&
    meeting.scheduledAt === null &&
    meeting.createdAt + unansweredDays * DAY_MS <= now
  );
}

/**
 * How long the bot keeps knowing a person's DM room once no meeting of theirs is left: a new meeting
 * soon after reuses the room instead of inviting them to a new one.
 */
export const DIRECT_ROOM_GRACE_DAYS = 30;

/**
 * Consent evidence of a meeting outlives its last recording by the configured period: evidence of
 * meetings whose last recording went before this instant may be pruned.
 */
export function evidenceCutoff(now: number, evidenceDaysAfterPurge: number): number {
  return now - evidenceDaysAfterPurge * DAY_MS;
}

/** Handled Matrix event IDs are kept this long: no homeserver redelivers an event after a month. */
export const PROCESSED_EVENTS_DAYS = 30;
