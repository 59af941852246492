import { BbbError, type Recording } from '../bbb/index.js';
import type { MeetingRow, SessionRow } from '../db/meetings-store.js';
import type { RecordingState } from '../db/recordings-store.js';
import { DAY_MS, deletionDue } from '../domain/retention.js';
import type { AppContext } from './context.js';
import type { PromptUpdater } from './prompt-updater.js';
import { readMeeting } from './views.js';

const MEETING_IDS_PER_REQUEST = 50;
/** Recordings of sessions that ended longer ago than this are assumed known (BBB processing is hours). */
export const WATCH_DAYS = 14;

/**
 * Learns about recordings from BBB (design.md §3.7): polling `getRecordings` is the ground truth; the
 * recording-ready callback only triggers the same check sooner. Also notices sessions that ended.
 */
export class RecordingDiscovery {
  /** Runs whenever a recording is (still) available; set by BotApp to deliver playback links (playback.ts). */
  onAvailable: (recording: Recording) => Promise<void> = async () => {};

  constructor(
    private readonly ctx: AppContext,
    private readonly prompts: PromptUpdater,
  ) {}

  /** One polling round over every recorded session worth watching. */
  async discoverAll(): Promise<void> {
    const watched = this.ctx.stores.recordings.sessionsToWatch(this.ctx.now() - WATCH_DAYS * DAY_MS);
    for (let i = 0; i < watched.length; i += MEETING_IDS_PER_REQUEST) {
      const batch = watched.slice(i, i + MEETING_IDS_PER_REQUEST);
      const found = await this.ctx.bbb.getRecordings({
        meetingID: batch.map((w) => w.session.bbbMeetingId),
        state: 'any',
      });
      for (const recording of found) {
        const hit = batch.find((w) => w.session.bbbMeetingId === recording.meetingID);
        if (hit) await this.record(recording, hit.session, hit.meeting);
      }
    }
  }

  /** Returns false when BBB could not be asked (recordings of the meeting may be unknown). */
  async discoverMeeting(meetingId: number): Promise<boolean> {
    const meeting = this.ctx.stores.meetings.get(meetingId);
    if (!meeting) return true;
    const sessions = this.ctx.stores.meetings.sessions(meetingId).filter((s) => s.record && s.confirmedAt);
    if (!sessions.length) return true;
    try {
      const found = await this.ctx.bbb.getRecordings({
        meetingID: sessions.map((s) => s.bbbMeetingId),
        state: 'any',
      });
      for (const recording of found) {
        const session = sessions.find((s) => s.bbbMeetingId === recording.meetingID);
        if (session) await this.record(recording, session, meeting);
      }
      return true;
    } catch (error) {
      this.ctx.log.warn({ err: error, meetingId }, 'recording discovery failed');
      return false;
    }
  }

  /** A recording-ready callback named this recording: confirm it with BBB before believing it. */
  async confirmReported(recordId: string): Promise<boolean> {
    const [recording] = await this.ctx.bbb.getRecordings({ recordID: [recordId], state: 'any' });
    if (!recording || recording.recordID !== recordId) return false;
    const session = this.ctx.stores.meetings.sessionByBbbId(recording.meetingID);
    const meeting = session && this.ctx.stores.meetings.get(session.meetingId);
    if (!session || !meeting) return false;
    await this.record(recording, session, meeting);
    return true;
  }

  /** Marks open meetings closed once BBB no longer knows their current session. */
  async closeEndedMeetings(): Promise<void> {
    for (const meeting of this.ctx.stores.meetings.inStates(['open'])) {
      const session = this.ctx.stores.meetings.currentSession(meeting.id);
      if (!session?.confirmedAt) continue;
      if (!(await this.endedInBbb(session.bbbMeetingId))) continue;
      await this.ctx.withMeeting(meeting.id, async () => this.closeMeeting(meeting.id, session.id));
    }
  }

  /** True when BBB no longer knows the session (it ended); false while it runs or BBB cannot say. */
  async endedInBbb(bbbMeetingId: string): Promise<boolean> {
    try {
      await this.ctx.bbb.getMeetingInfo(bbbMeetingId);
      return false;
    } catch (error) {
      return (
        error instanceof BbbError &&
        (error.messageKey === 'notFound' || error.messageKey === 'invalidMeetingIdentifier')
      );
    }
  }

  /**
   * Caller holds the meeting lock. Closes the meeting whose session `sessionId` ended in BBB, unless
   * that session is no longer the current one (a withdrawal replaced it meanwhile).
   */
  closeMeeting(meetingId: number, sessionId: number): boolean {
    const { meetings, audit } = this.ctx.stores;
    if (meetings.get(meetingId)?.state !== 'open') return false;
    if (meetings.currentSession(meetingId)?.id !== sessionId) return false;
    const now = this.ctx.now();
    meetings.updateSession(sessionId, { endedAt: now, endReason: 'ended' });
    meetings.setState(meetingId, 'closed', { closedAt: now });
    audit.append({
      at: now,
      actorId: this.ctx.chat.botUserId,
      action: 'meeting.closed',
      meetingId,
    });
    this.prompts.request(meetingId);
    return true;
  }

  private async record(recording: Recording, session: SessionRow, meeting: MeetingRow): Promise<void> {
    const { recordings, audit } = this.ctx.stores;
    const now = this.ctx.now();
    const state = localState(recording.state);
    const known = recordings.get(recording.recordID);
    if (!known) {
      if (state === 'purged') return; // deleted before we ever saw it
      // A recording of a session someone withdrew from must not stay, even briefly.
      const mustGo =
        session.endReason === 'withdrawal' || readMeeting(this.ctx, meeting).decision.withdrawn.length > 0;
      recordings.discover({
        recordId: recording.recordID,
        sessionId: session.id,
        meetingId: meeting.id,
        state: mustGo ? 'purge-pending' : state,
        startTime: recording.startTime || null,
        deleteAfter: deletionDue(recording.startTime || now, this.ctx.config.retention.recordingDays),
        purgeReason: mustGo ? 'withdrawal' : null,
        now,
      });
      audit.append({
        at: now,
        actorId: this.ctx.chat.botUserId,
        action: 'recording.discovered',
        meetingId: meeting.id,
        details: { recordId: recording.recordID, state: mustGo ? 'purge-pending' : state },
      });
    } else if (known.state === 'processing' && state === 'available') {
      recordings.markAvailable(recording.recordID, now);
    } else if (known.state === 'purged' && state !== 'purged') {
      // BBB finished processing after we deleted it: it must go again.
      recordings.requestPurge([recording.recordID], known.purgeReason ?? 'reappeared', now);
    } else if (known.state !== 'purged' && state === 'purged') {
      recordings.markPurged([recording.recordID], now);
    }
    await this.announceIfReady(recording.recordID, meeting);
    if (this.ctx.stores.recordings.get(recording.recordID)?.state === 'available') {
      await this.onAvailable(recording);
    }
  }

  private async announceIfReady(recordId: string, meeting: MeetingRow): Promise<void> {
    const row = this.ctx.stores.recordings.get(recordId);
    if (row?.state !== 'available' || row.readyAnnouncedAt) return;
    const name = this.ctx.t.recordingName(meeting.title, this.ctx.date(row.startTime ?? this.ctx.now()));
    await this.ctx.chat.send(
      meeting.roomId,
      this.ctx.t.recordingReady(name, row.deleteAfter ? this.ctx.date(row.deleteAfter) : null),
      { key: `ready:${recordId}` },
    );
    this.ctx.stores.recordings.markAnnounced(recordId, this.ctx.now());
  }
}

function localState(state: string): RecordingState {
  switch (state) {
    case 'published':
    case 'unpublished':
      return 'available';
    case 'deleted':
      return 'purged';
    default:
      return 'processing';
  }
}
