import type { ConsentSource, MeetingRow } from '../db/meetings-store.js';
import { currentSession, type Effect } from '../domain/lifecycle.js';
import { lines, person, type Rich } from '../i18n/rich.js';
import type { AppContext, Stores } from './context.js';
import type { DirectPrompts } from './direct-prompts.js';
import type { Applied, MeetingLifecycle, OutboxReport } from './lifecycle.js';
import { successorOpen } from './opening.js';
import type { RecordingDiscovery } from './recording-discovery.js';
import { nameOf, namesShown, readMeeting } from './views.js';

/**
 * A recorded session of this meeting ran, and none of its recordings is known purged: a recording
 * may still exist (listed or not yet), so withdrawing there still deletes something. The start-up asks
 * the same of every finished meeting at once (`MeetingsStore.finishedMayHoldRecording`).
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

/** What a withdrawal did, worded for the person and for the meeting's room. */
export interface WithdrawalOutcome {
  meeting: MeetingRow;
  userId: string;
  actorId: string;
  /** The event that carried it (keys the private messages: a replay sends none twice). */
  eventId: string;
  /** For the person (and an admin acting for them): what was done and what is still pending. */
  personal: Rich;
  /** For the meeting's room when it must not learn who withdrew; null where it needs no message. */
  anonymous: Rich | null;
  /** The meeting was still collecting answers (its prompt shows the change). */
  beforeOpening: boolean;
}

/** Where a withdrawal came from, to decide who is told what where. */
export interface WithdrawalOrigin {
  /** The room the command was typed in; undefined for a reaction or redaction. */
  commandRoom?: string;
  /** The command came from the DM room of its sender with the bot. */
  inDirectRoom?: boolean;
  /** Say nothing in the meeting's room before opening (a removed ✅: the prompt shows it). */
  quietBeforeOpening?: boolean;
}

/**
 * Withdrawal of consent (design.md §3.5–3.6), through the lifecycle: stored first, then acted on
 * from the outbox. {@link withdraw} returns what was done (null when nothing changed: a replayed
 * event, or a refusal the caller reports); {@link tell} says it to whom it concerns.
 */
export class Withdrawal {
  constructor(
    private readonly ctx: AppContext,
    private readonly lifecycle: MeetingLifecycle,
    private readonly discovery: RecordingDiscovery,
    private readonly direct: DirectPrompts,
  ) {}

  /**
   * Tells a withdrawal: the meeting's room learns who withdrew only where it may see names
   * (consent.ask "room" or consent.showNames); else it hears that a withdrawal was received, and the
   * person is told by DM. An admin's withdrawal for someone is confirmed to the admin by DM and told
   * to the person by DM. Returns the reply for the command's room (commands), or null.
   */
  async tell(outcome: WithdrawalOutcome, origin: WithdrawalOrigin = {}): Promise<Rich | null> {
    const { t } = this.ctx;
    const { meeting, userId, actorId } = outcome;
    const shown = namesShown(this.ctx.config.consent.showNames, meeting);
    const onBehalf = actorId !== userId;
    const forActor = onBehalf
      ? lines([outcome.personal, t.withdrawOnBehalf(person(actorId, actorId))])
      : outcome.personal;
    const inMeetingRoom = origin.commandRoom === meeting.roomId;
    let reply: Rich | null = null;
    // The meeting's room.
    const roomMessage = shown ? forActor : outcome.anonymous;
    const quiet = origin.quietBeforeOpening && outcome.beforeOpening;
    if (inMeetingRoom) reply = roomMessage ?? t.withdrawDetailsByDm;
    else if (roomMessage && !quiet) {
      // A room the bot can no longer post in (removed, room gone) must not cost the person their
      // confirmation, nor the withdrawal from their other meetings (`!withdraw` in the DM).
      await this.ctx.chat
        .send(meeting.roomId, roomMessage)
        .catch((error: unknown) =>
          this.ctx.log.warn(
            { err: error, meetingId: meeting.id },
            'could not tell the meeting room of a withdrawal',
          ),
        );
    }
    // The person, privately (unless the room named them, or they asked in their DM room).
    const key = (who: string) => `withdrawn:${outcome.eventId}:${meeting.id}:${who}`;
    if (origin.inDirectRoom && !onBehalf) reply = forActor;
    else if (onBehalf) {
      await this.direct.tell(
        userId,
        lines([outcome.personal, t.withdrawOnBehalfTold(person(actorId, actorId))]),
        key(userId),
      );
    } else if (!shown) await this.direct.tell(userId, outcome.personal, key(userId));
    // The admin who acted for someone: a confirmation by DM.
    if (onBehalf) {
      if (origin.inDirectRoom) reply = forActor;
      else await this.direct.tell(actorId, forActor, key(actorId));
    }
    return reply;
  }

  /**
   * The meetings of this person in this room (or, `roomId` undefined, in any room) a withdrawal still
   * changes: upcoming, running, with a recording not purged, or closed or cancelled with a recorded
   * session that owns its recordings.
   */
  withdrawable(userId: string, roomId: string | undefined): MeetingRow[] {
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
  async withdraw(meetingAtStart: MeetingRow, request: WithdrawalRequest): Promise<WithdrawalOutcome | null> {
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
    return result ? this.describe(result.applied, result.report, request.matrixEventId) : null;
  }

  /**
   * What the room is told about a withdrawal the lifecycle stored (from a command, a ❌ or a removed
   * ✅): what is done and what is still pending, for {@link tell}. Null when the event stored no
   * withdrawal. `eventId` is the Matrix event that carried it (keys the private messages).
   */
  describe(applied: Applied, report: OutboxReport, eventId: string): WithdrawalOutcome | null {
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
    return {
      meeting: applied.meeting,
      userId,
      actorId,
      eventId,
      personal: this.withMeaning(
        this.message(applied.before.state, applied.effects, applied.meeting, who, report),
        applied.effects,
      ),
      anonymous: this.withMeaning(
        this.anonymous(applied.before.state, applied.effects, applied.meeting, report),
        applied.effects,
      ),
      beforeOpening: applied.before.state === 'collecting',
    };
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

  /** A message about a deletion says what "deleted" means on this BBB server (notice.finalDeletion). */
  private withMeaning<T extends Rich | null>(message: T, effects: Effect[]): T {
    if (message === null || !effects.some((e) => e.type === 'purge-recordings')) return message;
    // Behind a front-end that cannot confirm deletions the bot deletes nothing, and says so instead.
    if (this.ctx.config.bbb.acceptUnconfirmedDeletion) return message;
    return lines([message, this.ctx.deletionMeans()]) as T;
  }

  /** The room's message without the person: only where the room sees a change (sessions, deletions). */
  private anonymous(
    stateBefore: MeetingRow['state'],
    effects: Effect[],
    meeting: MeetingRow,
    report: OutboxReport,
  ): Rich | null {
    const { t } = this.ctx;
    if (stateBefore === 'collecting') return null;
    const ended = effects.find(
      (e) => e.type === 'end-session' && effects.some((x) => x.type === 'create-session'),
    );
    if (this.ctx.config.bbb.acceptUnconfirmedDeletion) {
      if (!ended && !effects.some((e) => e.type === 'purge-recordings')) return null;
      const contact = this.ctx.config.notice.contact ?? this.ctx.config.admins.join(', ');
      return t.withdrawalReceivedWithoutDeletion(meeting.title, !!ended, contact);
    }
    if (ended && ended.type === 'end-session') {
      const confirmed = report.ended.some((s) => s.id === ended.sessionId);
      // Someone who never agreed (a late invitee): as his ❌, the recording stays.
      if (!effects.some((e) => e.type === 'purge-recordings'))
        return confirmed
          ? t.lateDeclineRestarted(meeting.title, successorOpen(this.ctx, meeting.id))
          : t.lateDeclineEnding(meeting.title);
      return confirmed
        ? t.withdrawalReceivedRestarted(meeting.title, successorOpen(this.ctx, meeting.id))
        : t.withdrawalReceivedEnding(meeting.title);
    }
    if (!effects.some((e) => e.type === 'purge-recordings')) return null;
    if (!report.deleted.length && !report.pendingDeletion.length) return null;
    const name = (startTime: number | null) =>
      t.recordingName(meeting.title, this.ctx.date(startTime ?? meeting.openedAt ?? meeting.createdAt));
    return t.withdrawalReceivedDeleted(
      meeting.title,
      report.deleted.map((r) => name(r.startTime)),
      report.pendingDeletion.map((r) => name(r.startTime)),
    );
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
      if (!effects.some((e) => e.type === 'purge-recordings'))
        return confirmed
          ? t.lateDeclineRestarted(meeting.title, successorOpen(this.ctx, meeting.id))
          : t.lateDeclineEnding(meeting.title);
      return confirmed
        ? t.withdrawRestarted(who, meeting.title, successorOpen(this.ctx, meeting.id))
        : t.withdrawEnding(who, meeting.title);
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
