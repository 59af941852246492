import type { ConsentSource, MeetingRow } from '../db/meetings-store.js';
import { currentSession, type Effect } from '../domain/lifecycle.js';
import { lines, person, type Rich } from '../i18n/rich.js';
import type { AppContext, Stores } from './context.js';
import type { Applied, MeetingLifecycle, OutboxReport } from './lifecycle.js';
import type { RecordingDiscovery } from './recording-discovery.js';
import { nameOf, readMeeting } from './views.js';

/**
 * A recorded session of this meeting ran, and none of its recordings is known purged: a recording
 * may still exist (listed or not yet), so withdrawing there still deletes something.
 */
export function mayHoldRecording(stores: Stores, meetingId: number): boolean {
  return stores.meetings
    .sessions(meetingId)
    .some(
      (s) =>
        s.record &&
        s.confirmedAt !== null &&
        !stores.recordings.ofSession(s.id).some((r) => r.state === 'purged'),
    );
}

export interface WithdrawalRequest {
  userId: string;
  actorId: string;
  /** The Matrix event that carried it (command, reaction or redaction); makes it idempotent. */
  matrixEventId: string;
  source: ConsentSource;
}

/**
 * Withdrawal of consent (design.md §3.5–3.6), through the lifecycle: stored first, then acted on
 * from the outbox. Returns the message for the room (what is done and what is still pending), or
 * null when nothing changed (a replayed event, or a refusal the caller reports).
 */
export class Withdrawal {
  constructor(
    private readonly ctx: AppContext,
    private readonly lifecycle: MeetingLifecycle,
    private readonly discovery: RecordingDiscovery,
  ) {}

  /**
   * The meetings of this person in this room a withdrawal still changes: upcoming, running, with a
   * recording not purged, or closed or cancelled with a recorded session that owns its recordings.
   */
  withdrawable(userId: string, roomId: string): MeetingRow[] {
    const { meetings, recordings } = this.ctx.stores;
    return meetings
      .ofUser(userId, roomId)
      .filter(
        (m) =>
          m.state === 'collecting' ||
          m.state === 'open' ||
          recordings.ofMeeting(m.id).some((r) => r.state !== 'purged') ||
          mayHoldRecording(this.ctx.stores, m.id),
      );
  }

  /** `!withdraw` (own, or an admin's on someone's behalf). Caller holds the meeting lock. */
  async withdraw(meetingAtStart: MeetingRow, request: WithdrawalRequest): Promise<Rich | null> {
    const meetingId = meetingAtStart.id;
    await this.refresh(meetingId);
    const result = await this.lifecycle.step(
      meetingId,
      {
        type: 'withdraw-requested',
        userId: request.userId,
        actorId: request.actorId,
        actorIsAdmin: this.ctx.isAdmin(request.actorId),
      },
      { eventId: request.matrixEventId, actorId: request.actorId, source: request.source },
    );
    return result ? this.describe(result.applied, result.report) : null;
  }

  /**
   * What the room is told about a withdrawal the lifecycle stored (from a command, a ❌ or a removed
   * ✅): what is done and what is still pending. Null when the event stored no withdrawal.
   */
  describe(applied: Applied, report: OutboxReport): Rich | null {
    const withdrawn = applied.effects.find((e) => e.type === 'record-consent' && e.kind === 'withdraw');
    if (withdrawn?.type !== 'record-consent') return null;
    const { userId } = withdrawn;
    const actorId = applied.actorId;
    this.ctx.log.info(
      {
        meetingId: applied.meeting.id,
        effects: applied.effects.map((e) => e.type),
        byAdmin: actorId !== userId,
      },
      'consent withdrawn',
    );
    const view = readMeeting(this.ctx, applied.meeting);
    const who = person(userId, nameOf(view, userId));
    const message = this.message(applied.before.state, applied.effects, applied.meeting, who, report);
    if (actorId !== userId) return lines([message, this.ctx.t.withdrawOnBehalf(person(actorId, actorId))]);
    return message;
  }

  /**
   * Before an event that may end a recorded session: everyone may have left already and discovery
   * not noticed yet. Then the meeting is over, and a withdrawal must delete its recording, not open a
   * new session and hand out links. Caller holds the meeting lock.
   */
  async refresh(meetingId: number): Promise<void> {
    const meeting = this.ctx.stores.meetings.get(meetingId);
    if (meeting?.state !== 'open') return;
    const session = currentSession(this.ctx.stores.meetings.model(meeting));
    if (!session?.record || session.id === null || session.state !== 'running') return;
    const row = this.ctx.stores.meetings.session(session.id)!;
    if (await this.discovery.endedInBbb(row.bbbMeetingId)) {
      await this.lifecycle.step(
        meetingId,
        { type: 'session-gone', sessionId: session.id },
        {
          eventId: null,
          actorId: this.ctx.chat.botUserId,
          source: 'reconcile',
        },
      );
    }
  }

  private message(
    stateBefore: MeetingRow['state'],
    effects: Effect[],
    meeting: MeetingRow,
    who: Rich,
    report: OutboxReport,
  ): Rich {
    const { t } = this.ctx;
    if (stateBefore === 'collecting') return t.withdrawBeforeOpen(who, meeting.title);
    const ended = effects.find(
      (e) => e.type === 'end-session' && effects.some((x) => x.type === 'create-session'),
    );
    // Behind a front-end that cannot confirm deletions (b3lb) the bot promises none.
    const noDeletion = this.ctx.config.bbb.acceptUnconfirmedDeletion
      ? { ...t.withoutDeletion, contact: this.ctx.config.notice.contact ?? this.ctx.config.admins.join(', ') }
      : undefined;
    if (ended && ended.type === 'end-session') {
      // The room hears "ended" only once BBB confirmed it.
      const confirmed = report.ended.some((s) => s.id === ended.sessionId);
      if (noDeletion) {
        const say = confirmed ? noDeletion.restarted : noDeletion.ending;
        return say(who, meeting.title, noDeletion.contact);
      }
      return confirmed ? t.withdrawRestarted(who, meeting.title) : t.withdrawEnding(who, meeting.title);
    }
    if (noDeletion && effects.some((e) => e.type === 'purge-recordings'))
      return noDeletion.after(who, meeting.title, noDeletion.contact);
    if (!effects.some((e) => e.type === 'purge-recordings')) return t.withdrawUnrecorded(who, meeting.title);
    const name = (startTime: number | null) =>
      t.recordingName(meeting.title, this.ctx.date(startTime ?? meeting.openedAt ?? meeting.createdAt));
    return t.withdrawDeleted(
      who,
      report.deleted.map((r) => name(r.startTime)),
      report.pendingDeletion.map((r) => name(r.startTime)),
    );
  }
}
