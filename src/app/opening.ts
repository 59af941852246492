import { randomBytes } from 'node:crypto';
import type { InviteeRow, SessionRow } from '../db/meetings-store.js';
import { mayReceiveLink } from '../domain/consent.js';
import type { OpenTrigger } from '../domain/lifecycle.js';
import { automaticOpenTrigger } from '../domain/lifecycle.js';
import { mention } from '../i18n/rich.js';
import type { AppContext } from './context.js';
import { UndeliverableError } from './ports.js';
import type { PromptUpdater } from './prompt-updater.js';
import { type MeetingView, nameOf, readMeeting, recordingStatement } from './views.js';

/** BBB meeting IDs: stable prefix for operators, unguessable suffix, within [A-Za-z0-9_-]. */
export function newBbbMeetingId(meetingId: number): string {
  return `meetbot-${meetingId}-${randomBytes(6).toString('hex')}`;
}

/**
 * Opening a meeting (design.md §3.3): decide recording from the stored consents, create the BBB
 * session, announce the decision, and hand out personal links. Each step is committed before the
 * next outside action, so a restart resumes where it stopped without doing anything twice.
 */
export class Opening {
  constructor(
    private readonly ctx: AppContext,
    private readonly prompts: PromptUpdater,
  ) {}

  /** Opens the meeting if its rules say so now (everyone answered, or its time has come). */
  async openIfDue(meetingId: number): Promise<void> {
    const meeting = this.ctx.stores.meetings.get(meetingId);
    if (!meeting) return;
    const trigger = automaticOpenTrigger(
      { state: meeting.state as 'collecting', noRecord: meeting.noRecord, scheduledAt: meeting.scheduledAt },
      this.ctx.stores.meetings.unansweredCount(meetingId) === 0,
      this.ctx.now(),
    );
    if (trigger) await this.open(meetingId, trigger);
  }

  /** Caller holds the meeting lock. Returns false if the meeting was not collecting any more. */
  async open(meetingId: number, trigger: OpenTrigger): Promise<boolean> {
    const meeting = this.ctx.stores.meetings.get(meetingId);
    if (meeting?.state !== 'collecting') return false;
    const record = readMeeting(this.ctx, meeting).decision.record;
    const session = this.ctx.stores.meetings.openWithSession(
      meetingId,
      trigger,
      record,
      newBbbMeetingId(meetingId),
      this.ctx.now(),
    );
    if (!session) return false;
    this.ctx.stores.audit.append({
      at: this.ctx.now(),
      actorId: this.ctx.chat.botUserId,
      action: 'meeting.opened',
      meetingId,
      details: { trigger, record, sessionId: session.id },
    });
    this.ctx.log.info({ meetingId, trigger, record }, 'meeting opened');
    await this.resume(meetingId);
    return true;
  }

  /**
   * Brings an open meeting's current session up to date: created in BBB, announced, links handed
   * out. Safe to call any number of times (restarts, the scheduler, late consents).
   */
  async resume(meetingId: number): Promise<void> {
    const session = this.ctx.stores.meetings.currentSession(meetingId);
    const meeting = this.ctx.stores.meetings.get(meetingId);
    if (!session || !meeting || meeting.state !== 'open') return;
    const live = await this.ensureCreated(session);
    if (!live) return;
    const view = readMeeting(this.ctx, meeting);
    if (!live.announcedAt) {
      await this.ctx.chat.send(
        meeting.roomId,
        this.ctx.t.meetingOpened(
          meeting.title,
          recordingStatement(this.ctx, view, live.record),
          this.ctx.config.matrix.joinLinkDelivery,
        ),
        { key: `announce:${live.id}` },
      );
      this.ctx.stores.meetings.updateSession(live.id, { announcedAt: this.ctx.now() });
      this.prompts.request(meetingId);
    }
    await this.deliverLinks(view, live);
  }

  private async ensureCreated(session: SessionRow): Promise<SessionRow | null> {
    if (session.confirmedAt) return session;
    const meeting = this.ctx.stores.meetings.get(session.meetingId)!;
    const publicUrl = this.ctx.config.http.enabled ? this.ctx.config.http.publicUrl : undefined;
    try {
      const created = await this.ctx.bbb.create({
        name: meeting.title,
        meetingID: session.bbbMeetingId,
        record: session.record,
        // Recording is all or nothing: it starts with the first person and nobody can pause it,
        // so what was consented to is exactly what gets recorded (reference §4.4).
        autoStartRecording: session.record,
        allowStartStopRecording: false,
        notifyRecordingIsOn: session.record,
        meta: { 'meetbot-meeting': String(meeting.id), 'meetbot-session': String(session.id) },
        recordingReadyUrl: publicUrl
          ? new URL('bbb/recording-ready', withSlash(publicUrl)).toString()
          : undefined,
        meetingExpireIfNoUserJoinedInMinutes: 60,
      });
      const fields = {
        confirmedAt: this.ctx.now(),
        createTime: created.createTime,
        internalMeetingId: created.internalMeetingID,
      };
      this.ctx.stores.meetings.updateSession(session.id, fields);
      this.ctx.stores.audit.append({
        at: this.ctx.now(),
        actorId: this.ctx.chat.botUserId,
        action: 'session.created',
        meetingId: meeting.id,
        details: { sessionId: session.id, bbbMeetingId: session.bbbMeetingId, record: session.record },
      });
      return { ...session, ...fields };
    } catch (error) {
      this.ctx.log.warn(
        { err: error, meetingId: meeting.id, sessionId: session.id },
        'BBB create failed; will retry',
      );
      if (this.ctx.stores.state.noteOnce(meeting.roomId, `bbb-unavailable:${session.id}`, this.ctx.now())) {
        await this.ctx.chat.send(meeting.roomId, this.ctx.t.bbbUnavailable);
      }
      return null;
    }
  }

  /** Hands each eligible invitee their personal link, once per session (design.md §3.3–3.4). */
  async deliverLinks(view: MeetingView, session: SessionRow): Promise<void> {
    const delivered = this.ctx.stores.meetings.delivered(session.id);
    for (const invitee of view.invitees) {
      if (delivered.has(invitee.userId)) continue;
      if (!mayReceiveLink(session.record, view.statuses.get(invitee.userId))) continue;
      const url = this.ctx.bbb.joinUrl({
        meetingID: session.bbbMeetingId,
        fullName: invitee.displayName,
        role: invitee.isOrganizer ? 'MODERATOR' : 'VIEWER',
        userID: invitee.userId,
        createTime: session.createTime ?? undefined,
      });
      try {
        const roomId = await this.sendLink(view, invitee, url, session);
        this.ctx.stores.meetings.recordDelivery(session.id, invitee.userId, roomId, this.ctx.now());
      } catch (error) {
        this.ctx.log.warn(
          { err: error, meetingId: view.meeting.id, userId: invitee.userId },
          'could not deliver join link',
        );
        if (
          this.ctx.stores.state.noteOnce(
            view.meeting.roomId,
            `undeliverable:${session.id}:${invitee.userId}`,
            this.ctx.now(),
          )
        ) {
          await this.ctx.chat.send(
            view.meeting.roomId,
            this.ctx.t.linkUndeliverable(
              mention(invitee.userId, invitee.displayName),
              mention(view.meeting.organizerId, nameOf(view, view.meeting.organizerId)),
              view.meeting.title,
            ),
          );
        }
      }
    }
  }

  /** Sends one link; the key makes a resend after a crash the same message, not a second one. */
  private async sendLink(
    view: MeetingView,
    invitee: InviteeRow,
    url: string,
    session: SessionRow,
  ): Promise<string> {
    const key = `link:${session.id}:${invitee.userId}`;
    if (this.ctx.config.matrix.joinLinkDelivery === 'room') {
      const pill = mention(invitee.userId, invitee.displayName);
      await this.ctx.chat.send(view.meeting.roomId, this.ctx.t.joinLinkInRoom(pill, url), { key });
      return view.meeting.roomId;
    }
    const roomId = await this.directRoom(invitee.userId);
    const message = this.ctx.t.joinLink({
      title: view.meeting.title,
      url,
      moderator: invitee.isOrganizer,
      recording: session.record,
    });
    await this.ctx.chat.send(roomId, message, { key });
    return roomId;
  }

  /**
   * One direct-message room per person, reused while they are still in it (joined or invited); else
   * a new one is made and stored. Throws UndeliverableError if no direct message can reach them.
   */
  async directRoom(userId: string): Promise<string> {
    const known = this.ctx.stores.state.directRoom(userId);
    const dm = await this.ctx.chat.directRoom(userId, known);
    if (dm.kind === 'undeliverable') throw new UndeliverableError(userId, dm.reason);
    if (dm.roomId !== known) this.ctx.stores.state.setDirectRoom(userId, dm.roomId, this.ctx.now());
    return dm.roomId;
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
