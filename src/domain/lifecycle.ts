// The meeting lifecycle (design.md §3): collecting → open → closed, or cancelled. Pure rules only.

export type MeetingState = 'collecting' | 'open' | 'closed' | 'cancelled';
export type OpenTrigger = 'all-answered' | 'scheduled' | 'start-command' | 'no-record';

export interface LifecycleView {
  state: MeetingState;
  noRecord: boolean;
  scheduledAt: number | null;
}

/**
 * Whether a collecting meeting opens now, and why. A meeting with `--at` waits for its time even
 * when everyone answered early (a BBB meeting nobody joins expires after a few minutes); without
 * `--at` it opens as soon as every invitee answered. `--no-record` asks nothing and opens at once.
 */
export function automaticOpenTrigger(
  m: LifecycleView,
  everyoneAnswered: boolean,
  now: number,
): OpenTrigger | null {
  if (m.state !== 'collecting') return null;
  const due = m.scheduledAt === null || now >= m.scheduledAt;
  if (!due) return null;
  if (m.noRecord) return 'no-record';
  if (m.scheduledAt !== null) return 'scheduled';
  return everyoneAnswered ? 'all-answered' : null;
}

export type WithdrawalEffect =
  /** Not open yet: it will open unrecorded unless the person agrees again. */
  | 'open-unrecorded'
  /** A recorded session is running: end it, open an unrecorded one, delete its recording. */
  | 'restart-unrecorded'
  /** Open but unrecorded: nothing is being recorded, only recordings of earlier sessions go. */
  | 'delete-earlier-recordings'
  /** Over: every recording of every session goes. */
  | 'delete-recordings'
  | 'nothing';

export function withdrawalEffect(
  state: MeetingState,
  currentSessionRecords: boolean | null,
): WithdrawalEffect {
  switch (state) {
    case 'collecting':
      return 'open-unrecorded';
    case 'open':
      return currentSessionRecords ? 'restart-unrecorded' : 'delete-earlier-recordings';
    case 'closed':
      return 'delete-recordings';
    case 'cancelled':
      return 'nothing';
  }
}

export function isActive(state: MeetingState): boolean {
  return state === 'collecting' || state === 'open';
}
