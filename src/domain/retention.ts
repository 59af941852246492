// Retention rules (design.md §3.7). Pure: the clock comes in as `now`.

export const DAY_MS = 24 * 60 * 60 * 1000;

/** When a recording that started at `startedAt` must be gone; null keeps it until withdrawal. */
export function deletionDue(startedAt: number, recordingDays: number | null): number | null {
  return recordingDays === null ? null : startedAt + recordingDays * DAY_MS;
}

/**
 * Consent evidence of a meeting outlives its last recording by the configured period: evidence of
 * meetings whose last recording went before this instant may be pruned.
 */
export function evidenceCutoff(now: number, evidenceDaysAfterPurge: number): number {
  return now - evidenceDaysAfterPurge * DAY_MS;
}

/** Handled Matrix event IDs are kept this long: no homeserver redelivers an event after a month. */
export const PROCESSED_EVENTS_DAYS = 30;
