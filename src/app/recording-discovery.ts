import { BbbError, type Recording } from '../bbb/index.js';
import type { MeetingRow, SessionRow } from '../db/meetings-store.js';
import { bbbRecordingState, isRecordingState, onListed, type RecordingState } from '../domain/recordings.js';
import { DAY_MS, deletionDue } from '../domain/retention.js';
import type { AppContext } from './context.js';
import type { MeetingLifecycle } from './lifecycle.js';
import type { PromptUpdater } from './prompt-updater.js';

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
    private readonly lifecycle: MeetingLifecycle,
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

  /**
   * Returns false when BBB could not be asked (recordings of the meeting may be unknown). `announce`
   * false: learn them without announcing them or sending playback links (they are about to be deleted).
   */
  async discoverMeeting(meetingId: number, announce = true): Promise<boolean> {
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
        if (session) await this.record(recording, session, meeting, announce);
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

  /**
   * Open meetings whose current session BBB no longer knows (everyone left) are over: the lifecycle
   * records the session as gone, which closes the meeting.
   */
  async closeEndedMeetings(): Promise<void> {
    for (const meeting of this.ctx.stores.meetings.inStates(['open'])) {
      const session = this.ctx.stores.meetings.currentSession(meeting.id);
      if (session?.state !== 'running') continue;
      if (!(await this.endedInBbb(session.bbbMeetingId))) continue;
      await this.ctx.withMeeting(meeting.id, async () => {
        this.lifecycle.apply(
          meeting.id,
          { type: 'session-gone', sessionId: session.id },
          { eventId: null, actorId: this.ctx.chat.botUserId, source: 'reconcile' },
        );
        this.prompts.request(meeting.id);
      });
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

  private async record(
    recording: Recording,
    session: SessionRow,
    meeting: MeetingRow,
    announce = true,
  ): Promise<void> {
    const { recordings, audit } = this.ctx.stores;
    const now = this.ctx.now();
    const known = recordings.get(recording.recordID);
    const knownState = known ? parseRecordingState(known.state) : undefined;
    const outcome = onListed(
      knownState,
      bbbRecordingState(recording.state),
      this.ctx.stores.outbox.purgeOrdered(meeting.id),
    );
    if (outcome.type === 'discovered') {
      recordings.discover({
        recordId: recording.recordID,
        sessionId: session.id,
        meetingId: meeting.id,
        state: outcome.state,
        startTime: recording.startTime || null,
        deleteAfter: deletionDue(recording.startTime || now, this.ctx.config.retention.recordingDays),
        purgeReason: outcome.state === 'purge-pending' ? 'withdrawal' : null,
        now,
      });
      audit.append({
        at: now,
        actorId: this.ctx.chat.botUserId,
        action: 'recording.discovered',
        meetingId: meeting.id,
        details: { recordId: recording.recordID, state: outcome.state },
      });
    } else if (outcome.type === 'became') {
      if (outcome.state === 'available') recordings.markAvailable(recording.recordID, now);
      else if (outcome.state === 'purged') {
        recordings.markPurged([recording.recordID], now);
        this.ctx.log.info(
          { meetingId: meeting.id, recordId: recording.recordID },
          'recording deletion confirmed by BBB',
        );
      } else if (outcome.state === 'purge-pending') {
        const reason = this.ctx.stores.outbox.purgeOrdered(meeting.id)
          ? 'withdrawal'
          : (known?.purgeReason ?? 'reappeared');
        recordings.requestPurge([recording.recordID], reason, now);
      }
    }
    if (!announce) return;
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
    this.ctx.log.info({ meetingId: meeting.id, recordId }, 'recording ready and announced');
  }
}

function parseRecordingState(state: string): RecordingState {
  if (!isRecordingState(state)) throw new Error(`unknown recording state ${state}`);
  return state;
}
