import pLimit from 'p-limit';
import { BbbError } from '../bbb/index.js';
import type { InviteeRow, MeetingRow, SessionRow } from '../db/meetings-store.js';
import type { IntentRow } from '../db/outbox-store.js';
import type { RecordingRow } from '../db/recordings-store.js';
import { type MeetingModel, mayReceiveLinkTo } from '../domain/lifecycle.js';
import { lines } from '../i18n/rich.js';
import type { AppContext } from './context.js';
import {
  type EffectRunner,
  type EventMeta,
  emptyReport,
  type MeetingLifecycle,
  type OutboxReport,
} from './lifecycle.js';
import type { Opening } from './opening.js';
import type { Purger } from './purge.js';
import type { RecordingDiscovery } from './recording-discovery.js';

/** Join links sent at once while a meeting opens (each to another person's DM room). */
const LINKS_IN_FLIGHT = 8;
/**
 * Runs the stored intents (the outbox) of meetings until the outside world confirmed them: BBB
 * `create` of planned sessions, BBB `end`, deletion of recordings after a withdrawal, and personal
 * links. Nothing is logged and forgotten: what fails stays pending and is retried by the frequent
 * tick, after a restart too.
 */
export class Outbox implements EffectRunner {
  constructor(
    private readonly ctx: AppContext,
    private readonly lifecycle: MeetingLifecycle,
    private readonly opening: Opening,
    private readonly purger: Purger,
    private readonly discovery: RecordingDiscovery,
  ) {}

  /** Every meeting with work pending, each under its lock (the frequent tick). */
  async runAll(): Promise<void> {
    const ids = new Set<number>([
      ...this.ctx.stores.meetings.unconfirmedSessions().map((s) => s.meetingId),
      ...this.ctx.stores.meetings.unannouncedSessions().map((s) => s.meetingId),
      ...this.ctx.stores.outbox.pending().map((i) => i.meetingId),
    ]);
    for (const id of ids) {
      await this.ctx.withMeeting(id, async () => {
        const report = await this.runMeeting(id);
        await this.tellLateOutcome(id, report);
      });
    }
    await this.endLateCreates();
  }

  /**
   * A `create` that timed out can still reach BBB after the bot ended that session and BBB confirmed
   * the end: BBB then runs the same meetingID again, recorded. Nobody can enter it (every link pins the
   * first createTime), but a recorded meeting must not run after a withdrawal: for a few minutes after
   * a recorded session ended, each tick asks BBB about its meetingID and ends such a newcomer again.
   */
  private async endLateCreates(): Promise<void> {
    const since = this.ctx.now() - LATE_CREATE_WATCH_MS;
    for (const session of this.ctx.stores.meetings.recordedEndedSince(since)) {
      let info: Awaited<ReturnType<typeof this.ctx.bbb.getMeetingInfo>>;
      try {
        info = await this.ctx.bbb.getMeetingInfo(session.bbbMeetingId);
      } catch {
        continue; // not there (the usual case), or BBB cannot say now: the next tick asks again
      }
      // The session the bot ended, still being torn down, is no newcomer.
      if (info.createTime === session.createTime) continue;
      try {
        await this.ctx.bbb.end(session.bbbMeetingId);
        this.ctx.log.warn(
          { sessionId: session.id, meetingId: session.meetingId },
          'a late BBB create had started an ended recorded session again; ended it',
        );
        this.ctx.stores.audit.append({
          at: this.ctx.now(),
          actorId: this.ctx.chat.botUserId,
          action: 'session.late-create-ended',
          meetingId: session.meetingId,
          details: { sessionId: session.id, createTime: info.createTime },
        });
      } catch (error) {
        this.ctx.log.warn(
          { err: error, sessionId: session.id },
          'could not end a late-created session; will retry',
        );
      }
    }
  }

  /** Caller holds the meeting lock. */
  async runMeeting(meetingId: number): Promise<OutboxReport> {
    const report = emptyReport();
    await this.createSessions(meetingId);
    for (const intent of this.ctx.stores.outbox.pendingOfMeeting(meetingId)) {
      if (intent.kind === 'end-session') await this.endSession(intent, report);
    }
    let links: LinkPass | undefined;
    // Links go out several at a time (each to its own person); a purge waits for the links before it.
    let sending: Promise<void>[] = [];
    const send = pLimit(LINKS_IN_FLIGHT);
    for (const intent of this.ctx.stores.outbox.pendingOfMeeting(meetingId)) {
      if (intent.kind === 'purge-recordings') {
        await Promise.all(sending);
        sending = [];
        await this.purge(intent, report);
        links = undefined;
      } else if (intent.kind === 'deliver-link' && linkAttemptDue(intent, this.ctx.now())) {
        links ??= this.linkPass(meetingId);
        const pass = links;
        if (pass) sending.push(send(() => this.deliverLink(intent, pass)));
      }
    }
    await Promise.all(sending);
    return report;
  }

  /**
   * What every link of one pass checks, read once, not once per link (a meeting of 500 opening sent
   * 500 links, each reading every invitee and the whole ledger): nothing changes answers or sessions
   * while the caller holds the meeting lock, so this is still the state at each sending.
   */
  private linkPass(meetingId: number): LinkPass | undefined {
    const { meetings } = this.ctx.stores;
    const meeting = meetings.get(meetingId);
    if (!meeting) return undefined;
    return {
      meeting,
      model: meetings.model(meeting),
      invitees: new Map(meetings.invitees(meetingId).map((i) => [i.userId, i])),
      delivered: new Map(),
    };
  }

  private meta(): EventMeta {
    return { eventId: null, actorId: this.ctx.chat.botUserId, source: 'reconcile' };
  }

  private async createSessions(meetingId: number): Promise<void> {
    const { meetings } = this.ctx.stores;
    for (const session of meetings.sessions(meetingId).filter((s) => s.state === 'creating')) {
      const created = await this.opening.create(session);
      if (!created) continue;
      this.lifecycle.apply(meetingId, { type: 'session-created', sessionId: session.id }, this.meta());
    }
    // The room hears that it opened (once per session, see Opening.announce); an announcement the
    // homeserver refused is said at a later run, and does not hold up the links.
    const meeting = meetings.get(meetingId);
    if (meeting?.state !== 'open') return;
    for (const session of meetings.sessions(meetingId)) {
      if (session.state !== 'running' || session.announcedAt !== null) continue;
      try {
        await this.opening.announce(meeting, session);
      } catch (error) {
        this.ctx.log.warn(
          { err: error, meetingId, sessionId: session.id },
          'announcement not sent; will retry',
        );
      }
    }
  }

  private async endSession(intent: IntentRow, report: OutboxReport): Promise<void> {
    const { meetings, outbox } = this.ctx.stores;
    const session = intent.sessionId === null ? undefined : meetings.session(intent.sessionId);
    if (!session) {
      outbox.done(intent.id, this.ctx.now(), 'dropped');
      return;
    }
    await this.tellMeetingItEnds(session);
    try {
      await this.ctx.bbb.end(session.bbbMeetingId);
    } catch (error) {
      // BBB says there is no such running meeting: it is over, which is what we asked for.
      const gone =
        error instanceof BbbError &&
        (error.messageKey === 'notFound' || error.messageKey === 'invalidMeetingIdentifier');
      if (!gone) {
        outbox.attempted(intent.id, this.ctx.now(), error instanceof Error ? error.message : String(error));
        this.ctx.log.warn({ err: error, sessionId: session.id }, 'BBB end not confirmed; will retry');
        report.ending.push(session);
        return;
      }
    }
    outbox.done(intent.id, this.ctx.now(), 'confirmed');
    this.lifecycle.apply(session.meetingId, { type: 'session-gone', sessionId: session.id }, this.meta());
    this.ctx.stores.audit.append({
      at: this.ctx.now(),
      actorId: this.ctx.chat.botUserId,
      action: 'session.ended',
      meetingId: session.meetingId,
      details: { sessionId: session.id, reason: session.endReason },
    });
    report.ended.push(session);
  }

  /**
   * Before a withdrawal ends a recorded session, one line in the meeting's own chat says why and where the new
   * links are, naming nobody (design.md §3.5), where the server has `sendChatMessage`. Tried once per session, not
   * again when the end is retried (a failure means BBB was unreachable then); the end never waits for it.
   */
  private async tellMeetingItEnds(session: SessionRow): Promise<void> {
    if (!session.record || session.endReason !== 'withdrawal') return;
    const meeting = this.ctx.stores.meetings.get(session.meetingId);
    if (
      !meeting ||
      !this.ctx.stores.state.noteOnce(meeting.roomId, `bbb-chat-ending:${session.id}`, this.ctx.now())
    )
      return;
    try {
      const outcome = await this.ctx.bbb.sendChatMessage(
        session.bbbMeetingId,
        this.ctx.t.inMeeting.endingAfterWithdrawal(),
      );
      if (outcome !== 'sent')
        this.ctx.log.info({ sessionId: session.id, outcome }, 'no chat line in BBB before the end');
    } catch (error) {
      this.ctx.log.warn(
        { err: error, sessionId: session.id },
        'could not post the chat line in BBB; ending anyway',
      );
    }
  }

  /**
   * Deletes every recording of the meeting's recorded sessions. Done only when BBB could be asked,
   * every recorded session is over and every recording it lists is confirmed deleted; recordings
   * that appear later are marked for deletion by discovery (the purge stays ordered).
   */
  private async purge(intent: IntentRow, report: OutboxReport): Promise<void> {
    const { meetings, recordings, outbox } = this.ctx.stores;
    report.purged = true;
    const listed = await this.discovery.discoverMeeting(intent.meetingId);
    const rows = recordings.ofMeeting(intent.meetingId).filter((r) => r.state !== 'purged');
    recordings.requestPurge(
      rows.map((r) => r.recordId),
      'withdrawal',
      this.ctx.now(),
    );
    const outcome = await this.purger.purge(
      recordings.ofMeeting(intent.meetingId).filter((r) => r.state !== 'purged'),
      'withdrawal',
      this.ctx.chat.botUserId,
    );
    report.deleted.push(...outcome.deleted);
    report.pendingDeletion.push(...outcome.failed.map((f) => ({ startTime: f.recording.startTime })));
    const sessions = meetings.sessions(intent.meetingId).filter((s) => s.record);
    const unfinished = sessions.filter((s) => s.state !== 'ended');
    // A recorded session that ran but whose recording BBB does not list (yet, or BBB not asked).
    const unseen = sessions.filter(
      (s) => s.confirmedAt && recordings.ofSession(s.id).length === 0 && (!listed || s.state !== 'ended'),
    );
    report.pendingDeletion.push(
      ...unseen.map((s) => ({ startTime: s.createdAt })),
      ...unfinished
        .filter((s) => !unseen.includes(s) && s.confirmedAt)
        .map((s) => ({ startTime: s.createdAt })),
    );
    if (listed && !outcome.failed.length && !unfinished.length) {
      outbox.done(intent.id, this.ctx.now(), 'confirmed');
    } else {
      outbox.attempted(intent.id, this.ctx.now(), listed ? 'not all deleted yet' : 'BBB could not be asked');
    }
  }

  /** Checks again, at sending time, that the person may have this link (design.md §3.4). */
  private async deliverLink(intent: IntentRow, pass: LinkPass): Promise<void> {
    const { meetings, outbox } = this.ctx.stores;
    const { meeting, model } = pass;
    const session = intent.sessionId === null ? undefined : meetings.session(intent.sessionId);
    const invitee = intent.userId ? pass.invitees.get(intent.userId) : undefined;
    if (!session || !invitee) {
      outbox.done(intent.id, this.ctx.now(), 'dropped');
      return;
    }
    let delivered = pass.delivered.get(session.id);
    if (!delivered) {
      delivered = meetings.delivered(session.id);
      pass.delivered.set(session.id, delivered);
    }
    const sessionModel = model.sessions.find((s) => s.id === session.id);
    if (
      meeting.state !== 'open' ||
      !sessionModel ||
      !mayReceiveLinkTo(sessionModel, model.answers.get(invitee.userId)) ||
      delivered.has(invitee.userId)
    ) {
      outbox.done(intent.id, this.ctx.now(), 'dropped');
      return;
    }
    // Taken before sending: another intent for the same person and session, sent beside this one,
    // is dropped above instead of sending a second link.
    delivered.add(invitee.userId);
    try {
      const roomId = await this.opening.sendLink(meeting, invitee, session);
      meetings.recordDelivery(session.id, invitee.userId, roomId, this.ctx.now());
      this.ctx.log.info(
        { meetingId: meeting.id, sessionId: session.id, userId: invitee.userId, roomId },
        'join link delivered',
      );
      outbox.done(intent.id, this.ctx.now(), 'confirmed');
    } catch (error) {
      delivered.delete(invitee.userId);
      outbox.attempted(intent.id, this.ctx.now(), error instanceof Error ? error.message : String(error));
      this.ctx.log.warn(
        { err: error, meetingId: meeting.id, userId: invitee.userId },
        'could not deliver join link; will retry',
      );
      await this.opening.reportUndeliverable(meeting, invitee, session.id);
    }
  }

  /** What a retry achieved later is told in the room too: a session ended, recordings deleted. */
  async tellLateOutcome(meetingId: number, report: OutboxReport): Promise<void> {
    const meeting = this.ctx.stores.meetings.get(meetingId);
    if (!meeting) return;
    for (const session of report.ended.filter((s) => s.record)) {
      await this.ctx.chat.send(meeting.roomId, this.ctx.t.recordedSessionEnded(meeting.title), {
        key: `ended:${session.id}`,
      });
    }
    if (report.deleted.length) await this.tellDeleted(meeting, report.deleted);
  }

  async tellDeleted(meeting: MeetingRow, rows: RecordingRow[]): Promise<void> {
    const names = rows.map((r) =>
      this.ctx.t.recordingName(
        meeting.title,
        this.ctx.date(r.startTime ?? meeting.openedAt ?? meeting.createdAt),
      ),
    );
    const message = lines([this.ctx.t.deletedAfterWithdrawal(names), this.ctx.deletionMeans()]);
    await this.ctx.chat.send(meeting.roomId, message, {
      key: `deleted-later:${rows.map((r) => r.recordId).join(',')}`,
    });
  }
}

/** One pass of link deliveries of a meeting: see Outbox.linkPass. */
interface LinkPass {
  meeting: MeetingRow;
  model: MeetingModel;
  invitees: Map<string, InviteeRow>;
  /** Per session: who has their link (read once, kept current as links go out). */
  delivered: Map<number, Set<string>>;
}

/** How long after its end a recorded session's meetingID is watched for a late `create`. */
const LATE_CREATE_WATCH_MS = 5 * 60_000;
const LINK_RETRY_FIRST_MS = 15_000;
const LINK_RETRY_MAX_MS = 10 * 60_000;

/**
 * A link that could not be delivered (no DM room possible: account deactivated, invites refused) is
 * tried once more at the next run (tick or restart), then after 15 s, 30 s, 1 min, … at most every
 * 10 minutes, not on every 15-second tick: each attempt may ask the homeserver for a new room.
 * BBB `end` and deletions keep the frequent retry.
 */
export function linkAttemptDue(intent: Pick<IntentRow, 'attempts' | 'lastAttemptAt'>, now: number): boolean {
  if (intent.attempts <= 1 || intent.lastAttemptAt === null) return true;
  const wait = Math.min(LINK_RETRY_FIRST_MS * 2 ** (intent.attempts - 2), LINK_RETRY_MAX_MS);
  return now - intent.lastAttemptAt >= wait;
}
