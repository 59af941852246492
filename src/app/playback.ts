import type { Recording } from '../bbb/index.js';
import type { InviteeRow, MeetingRow } from '../db/meetings-store.js';
import type { RecordingRow } from '../db/recordings-store.js';
import { isGuestId } from '../domain/guest.js';
import type { Rich } from '../i18n/rich.js';
import type { AppContext } from './context.js';
import { readMeeting } from './views.js';

// Playback links (design.md §3.9). A BBB playback URL needs no login: it is a credential, like a
// join link. It goes only by direct message, only to invitees whose current answer is ✅, only
// while the recording is available and nobody withdrew from its meeting; a purged or withdrawn
// recording's link is never handed out again.
//
// Each delivery is one function (`deliverOne`), so it can become a stored intent of an outbox.

/** The URL people open: the presentation format when there is one (BBB's default player). */
export function playbackUrl(recording: Pick<Recording, 'playback'>): string | null {
  const formats = recording.playback.filter((f) => f.url);
  return (formats.find((f) => f.type === 'presentation') ?? formats[0])?.url ?? null;
}

const deliveredKey = (recordId: string, userId: string) => `playback-sent:${recordId}:${userId}`;

export class PlaybackLinks {
  /** Deliveries run one after another, off the path that found the recording (see `schedule`). */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: AppContext,
    /** The person's direct-message room (created on first need, reused; see DirectRooms). */
    private readonly directRoom: (userId: string) => Promise<string>,
  ) {}

  /** The invitees who may have this recording's link now (none unless it is available and unwithdrawn). */
  mayWatch(
    recordId: string,
  ): { recording: RecordingRow; meeting: MeetingRow; invitees: InviteeRow[] } | null {
    const recording = this.ctx.stores.recordings.get(recordId);
    if (recording?.state !== 'available') return null;
    const meeting = this.ctx.stores.meetings.get(recording.meetingId);
    if (!meeting) return null;
    const view = readMeeting(this.ctx, meeting);
    if (view.decision.withdrawn.length > 0) return null;
    const invitees = view.invitees.filter((i) => view.statuses.get(i.userId) === 'agreed');
    return { recording, meeting, invitees };
  }

  /**
   * Queues `deliverReady` and returns at once: whoever found the recording (the polling job, BBB's
   * recording-ready callback, which must be answered within seconds) does not wait for the DMs.
   */
  schedule(recording: Recording): void {
    this.queue = this.queue
      .then(() => this.deliverReady(recording))
      .catch((error: unknown) => {
        this.ctx.log.warn({ err: error, recordId: recording.recordID }, 'playback link delivery failed');
      });
  }

  /** Resolves when every queued delivery has run (shutdown, tests). */
  idle(): Promise<void> {
    return this.queue;
  }

  /** A recording is ready: every invitee who agreed gets its link by DM, once. Safe to call again. */
  async deliverReady(recording: Recording): Promise<void> {
    const url = playbackUrl(recording);
    const allowed = url ? this.mayWatch(recording.recordID) : null;
    if (!url || !allowed) return;
    for (const invitee of allowed.invitees) {
      // A guest has no Matrix account to send to (their page offers no playback link either).
      if (isGuestId(invitee.userId)) continue;
      if (this.ctx.stores.state.read(deliveredKey(recording.recordID, invitee.userId))) continue;
      try {
        await this.deliverOne(recording.recordID, invitee.userId, url);
      } catch (error) {
        // Not lost: the next discovery round (or the person's !recordings) tries again.
        this.ctx.log.warn(
          { err: error, meetingId: allowed.meeting.id, userId: invitee.userId },
          'could not deliver playback link',
        );
      }
    }
  }

  /**
   * One delivery: checks again (a withdrawal may have come in meanwhile), sends the link to the
   * person's DM room with a key (a resend after a crash is the same message), then stores it.
   */
  async deliverOne(recordId: string, userId: string, url: string): Promise<boolean> {
    const first = this.mayWatch(recordId);
    if (!first?.invitees.some((i) => i.userId === userId)) return false;
    const roomId = await this.directRoom(userId);
    // Checked again under the meeting's lock, at sending: a withdrawal that came in while the DM room
    // was being found stops this link, and one that comes in now waits until it went out.
    return this.ctx.withMeeting(first.meeting.id, async () => {
      const allowed = this.mayWatch(recordId);
      if (!allowed?.invitees.some((i) => i.userId === userId)) return false;
      const { recording, meeting } = allowed;
      await this.ctx.chat.send(
        roomId,
        this.ctx.t.playbackLink(this.name(meeting, recording), url, this.deleteOn(recording)),
        { key: `playback:${recordId}:${userId}` },
      );
      const now = this.ctx.now();
      this.ctx.stores.state.write(deliveredKey(recordId, userId), String(now));
      this.ctx.stores.audit.append({
        at: now,
        actorId: this.ctx.chat.botUserId,
        action: 'recording.link-sent',
        meetingId: meeting.id,
        subjectId: userId,
        details: { recordId },
      });
      return true;
    });
  }

  /**
   * `!recordings` by someone who may watch some of this room's recordings: their links, by DM, in one
   * message, with the URLs BBB reports now. Returns how many links were sent (0: the room answer is all).
   */
  async sendOnRequest(userId: string, roomId: string): Promise<number> {
    const mayHave = (recordId: string) =>
      !!this.mayWatch(recordId)?.invitees.some((i) => i.userId === userId);
    const mine = this.ctx.stores.recordings.inRoom(roomId).filter((r) => mayHave(r.recordId));
    if (!mine.length) return 0;
    const found = await this.ctx.bbb.getRecordings({ recordID: mine.map((r) => r.recordId), state: 'any' });
    const urls = new Map<string, string>();
    for (const row of mine) {
      const bbb = found.find((f) => f.recordID === row.recordId && f.state === 'published');
      const url = bbb && playbackUrl(bbb);
      if (url) urls.set(row.recordId, url);
    }
    if (!urls.size) return 0;
    const dm = await this.directRoom(userId);
    // Sending time is what counts: under the lock of every meeting involved (in ID order, so two
    // requests cannot wait on each other), each link is checked again; a withdrawal stored while BBB
    // or the DM room was being asked stops it.
    const meetingIds = [...new Set(mine.map((r) => r.meetingId))].sort((a, b) => a - b);
    return this.underLocks(meetingIds, async () => {
      const items: { name: Rich; url: string; deleteOn: string | null }[] = [];
      for (const row of mine) {
        const url = urls.get(row.recordId);
        const allowed = url ? this.mayWatch(row.recordId) : null;
        if (!url || !allowed?.invitees.some((i) => i.userId === userId)) continue;
        items.push({
          name: this.name(allowed.meeting, allowed.recording),
          url,
          deleteOn: this.deleteOn(row),
        });
      }
      if (!items.length) return 0;
      await this.ctx.chat.send(dm, this.ctx.t.playbackLinks(items));
      return items.length;
    });
  }

  private underLocks<T>(meetingIds: readonly number[], fn: () => Promise<T>): Promise<T> {
    const [first, ...rest] = meetingIds;
    if (first === undefined) return fn();
    return this.ctx.withMeeting(first, () => this.underLocks(rest, fn));
  }

  private name(meeting: MeetingRow, recording: RecordingRow): Rich {
    return this.ctx.t.recordingName(
      meeting.title,
      this.ctx.date(recording.startTime ?? recording.discoveredAt),
    );
  }

  private deleteOn(recording: RecordingRow): string | null {
    return recording.deleteAfter ? this.ctx.date(recording.deleteAfter) : null;
  }
}
