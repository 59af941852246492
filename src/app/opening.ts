import type { InviteeRow, MeetingRow, SessionRow } from '../db/meetings-store.js';
import { mention } from '../i18n/rich.js';
import type { AppContext } from './context.js';
import { type DirectRooms, tellRoomUndeliverable } from './direct-rooms.js';
import type { PromptUpdater } from './prompt-updater.js';
import { readMeeting, recordingStatement } from './views.js';

/**
 * The outside actions of opening a meeting (design.md §3.3): BBB `create`, the room's announcement
 * of the recording decision, and personal links. What to do and when is decided by the lifecycle
 * and run from the outbox (outbox.ts); these only act and report.
 */
export class Opening {
  constructor(
    private readonly ctx: AppContext,
    private readonly prompts: PromptUpdater,
    private readonly directRooms: DirectRooms,
  ) {}

  /** Calls BBB `create`; returns the confirmed fields, or null when BBB did not confirm (retried). */
  async create(session: SessionRow): Promise<Pick<SessionRow, 'createTime' | 'internalMeetingId'> | null> {
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
        ...inMeeting(this.ctx, session.record),
        meta: { 'meetbot-meeting': String(meeting.id), 'meetbot-session': String(session.id) },
        recordingReadyUrl: publicUrl
          ? new URL('bbb/recording-ready', withSlash(publicUrl)).toString()
          : undefined,
        meetingExpireIfNoUserJoinedInMinutes: 60,
      });
      const fields = { createTime: created.createTime, internalMeetingId: created.internalMeetingID };
      this.ctx.stores.meetings.updateSession(session.id, { ...fields, confirmedAt: this.ctx.now() });
      this.ctx.stores.audit.append({
        at: this.ctx.now(),
        actorId: this.ctx.chat.botUserId,
        action: 'session.created',
        meetingId: meeting.id,
        details: { sessionId: session.id, bbbMeetingId: session.bbbMeetingId, record: session.record },
      });
      this.ctx.log.info(
        { meetingId: meeting.id, sessionId: session.id, record: session.record },
        session.record ? 'meeting opened in BBB, recorded' : 'meeting opened in BBB, not recorded',
      );
      return fields;
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

  /** "Recording ON – all 4 agreed" / "Recording OFF – …", said once per session. */
  async announce(meeting: MeetingRow, session: SessionRow): Promise<void> {
    if (session.announcedAt) return;
    const view = readMeeting(this.ctx, meeting);
    await this.ctx.chat.send(
      meeting.roomId,
      this.ctx.t.meetingOpened(
        meeting.title,
        recordingStatement(this.ctx, view, session.record),
        this.ctx.config.matrix.joinLinkDelivery,
      ),
      { key: `announce:${session.id}` },
    );
    this.ctx.stores.meetings.updateSession(session.id, { announcedAt: this.ctx.now() });
    this.prompts.request(meeting.id);
  }

  /**
   * Sends one personal link; the key makes a resend after a crash the same message, not a second
   * one. Returns the room it went to. Throws when it could not be sent.
   */
  async sendLink(meeting: MeetingRow, invitee: InviteeRow, session: SessionRow): Promise<string> {
    const url = personalJoinUrl(this.ctx, session, invitee);
    const key = `link:${session.id}:${invitee.userId}`;
    if (this.ctx.config.matrix.joinLinkDelivery === 'room') {
      const pill = mention(invitee.userId, invitee.displayName);
      await this.ctx.chat.send(meeting.roomId, this.ctx.t.joinLinkInRoom(pill, url), { key });
      return meeting.roomId;
    }
    const roomId = await this.directRooms.get(invitee.userId);
    const message = this.ctx.t.joinLink({
      title: meeting.title,
      url,
      moderator: invitee.isOrganizer,
      recording: session.record,
    });
    await this.ctx.chat.send(roomId, message, { key });
    return roomId;
  }

  /** Tells the room once that a person's link could not be delivered (it is retried). */
  async reportUndeliverable(meeting: MeetingRow, invitee: InviteeRow, sessionId: number): Promise<void> {
    const key = `undeliverable:${sessionId}:${invitee.userId}`;
    await tellRoomUndeliverable(this.ctx, meeting, invitee, key, this.ctx.t.linkUndeliverable);
  }
}

/** Recording formats BBB knows (reference §6.2); those not in `bbb.recordingFormats` are switched off. */
export const KNOWN_RECORDING_FORMATS = [
  'presentation',
  'video',
  'screenshare',
  'podcast',
  'notes',
  'ai-summary',
];

/**
 * What people see inside the meeting (design.md §2): a recorded session shows BBB's recording dialog with our
 * reason and how to withdraw, produces only the formats the notice covers, and says so in its welcome text; an
 * unrecorded one says it is not recorded. The client leaves out what the server does not know.
 */
function inMeeting(ctx: AppContext, record: boolean) {
  const { t, config } = ctx;
  const features = { disabledFeatures: config.bbb.disabledFeatures };
  if (!record) return { ...features, welcome: t.inMeeting.unrecorded() };
  const recorded = t.inMeeting.recorded(config.matrix.commandPrefix);
  return {
    ...features,
    welcome: recorded,
    notifyRecordingIsOn: true,
    notifyRecordingAppend: recorded,
    disableRecordingFormats: KNOWN_RECORDING_FORMATS.filter((f) => !config.bbb.recordingFormats.includes(f)),
  };
}

/**
 * A personal join link (design.md §3.3): BBB `fullName` = display name, `userID` = the invitee's ID, MODERATOR
 * for the organizer and VIEWER otherwise, `createTime` pinned so that it cannot enter a later session.
 */
export function personalJoinUrl(
  ctx: AppContext,
  session: Pick<SessionRow, 'bbbMeetingId' | 'createTime'>,
  invitee: Pick<InviteeRow, 'userId' | 'displayName' | 'isOrganizer'>,
): string {
  return ctx.bbb.joinUrl({
    meetingID: session.bbbMeetingId,
    fullName: invitee.displayName,
    role: invitee.isOrganizer ? 'MODERATOR' : 'VIEWER',
    userID: invitee.userId,
    createTime: session.createTime ?? undefined,
  });
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Whether the unrecorded session that follows an ended recorded one is open in BBB (its create confirmed). */
export function successorOpen(ctx: AppContext, meetingId: number): boolean {
  const session = ctx.stores.meetings.currentSession(meetingId);
  return !!session && !session.record && session.confirmedAt !== null;
}
