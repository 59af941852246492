// Retention rules (design.md §3.7). Pure: the clock comes in as `now`.

export const DAY_MS = 24 * 60 * 60 * 1000;

/** When a recording that started at `startedAt` must be gone; null keeps it until withdrawal. */
export function deletionDue(startedAt: number, recordingDays: number | null): number | null {
  return recordingDays === null ? null : startedAt + recordingDays * DAY_MS;
}

export function isExpired(deleteAfter: number | null, now: number): boolean {
  return deleteAfter !== null && now >= deleteAfter;
}

/** Consent evidence of a meeting outlives its last recording by the configured period. */
export function evidencePrunable(
  lastRecordingGoneAt: number | null,
  evidenceDaysAfterPurge: number,
  now: number,
): boolean {
  return lastRecordingGoneAt !== null && now >= lastRecordingGoneAt + evidenceDaysAfterPurge * DAY_MS;
}
