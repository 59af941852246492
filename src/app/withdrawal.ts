import type { MeetingRow } from '../db/meetings-store.js';
import { type WithdrawalEffect, withdrawalEffect } from '../domain/lifecycle.js';
import { lines, person, type Rich } from '../i18n/rich.js';
import type { AppContext } from './context.js';
import { newBbbMeetingId, type Opening } from './opening.js';
import type { PromptUpdater } from './prompt-updater.js';
import type { Purger } from './purge.js';
import type { RecordingDiscovery } from './recording-discovery.js';
import { nameOf, readMeeting } from './views.js';

export interface WithdrawalRequest {
  userId: string;
  actorId: string;
  /** The Matrix event that carried it (command, reaction or redaction); makes it idempotent. */
  matrixEventId: string;
  source: 'reaction' | 'redaction' | 'command' | 'reconcile';
}

/**
 * Withdrawal of consent (design.md §3.5–3.6): stored first, then acted on according to where the
 * meeting is. Returns the message for the room, or null when nothing was stored (a replayed event).
 */
export class Withdrawal {
  constructor(
    private readonly ctx: AppContext,
    private readonly opening: Opening,
    private readonly prompts: PromptUpdater,
    private readonly purger: Purger,
    private readonly discovery: RecordingDiscovery,
  ) {}

  /** Caller holds the meeting lock. */
  async withdraw(meetingAtStart: MeetingRow, request: WithdrawalRequest): Promise<Rich | null> {
    let meeting = meetingAtStart;
    const { meetings, audit } = this.ctx.stores;
    const now = this.ctx.now();
    const stored = meetings.appendConsent({
      meetingId: meeting.id,
      userId: request.userId,
      kind: 'withdraw',
      at: now,
      matrixEventId: request.matrixEventId,
      noticeSha256: meeting.noticeSha256,
      actorId: request.actorId,
      source: request.source,
    });
    if (!stored) return null;
    audit.append({
      at: now,
      actorId: request.actorId,
      action: 'consent.withdraw',
      meetingId: meeting.id,
      subjectId: request.userId,
    });
    if (request.actorId !== request.userId) {
      audit.append({
        at: now,
        actorId: request.actorId,
        action: 'admin.withdraw',
        meetingId: meeting.id,
        subjectId: request.userId,
      });
    }
    let session = meetings.currentSession(meeting.id);
    // Everyone may have left already and the discovery job not noticed yet: then the meeting is
    // over, and a withdrawal must delete its recording, not open a new session and hand out links.
    if (
      meeting.state === 'open' &&
      session?.record &&
      session.confirmedAt &&
      (await this.discovery.endedInBbb(session.bbbMeetingId)) &&
      this.discovery.closeMeeting(meeting.id, session.id)
    ) {
      meeting = meetings.get(meeting.id)!;
      session = meetings.currentSession(meeting.id);
    }
    const effect = withdrawalEffect(meeting.state as 'open', session ? session.record : null);
    this.ctx.log.info(
      { meetingId: meeting.id, effect, byAdmin: request.actorId !== request.userId },
      'consent withdrawn',
    );
    this.prompts.request(meeting.id);
    const view = readMeeting(this.ctx, meeting);
    const who = person(request.userId, nameOf(view, request.userId));
    const message = await this.apply(effect, meeting, who);
    if (message && request.actorId !== request.userId) {
      return lines([message, this.ctx.t.withdrawOnBehalf(person(request.actorId, request.actorId))]);
    }
    return message;
  }

  private async apply(effect: WithdrawalEffect, meeting: MeetingRow, who: Rich): Promise<Rich | null> {
    switch (effect) {
      case 'open-unrecorded':
        return this.ctx.t.withdrawBeforeOpen(who, meeting.title);
      case 'restart-unrecorded':
        await this.restartUnrecorded(meeting);
        await this.deleteRecordings(meeting, 'withdrawal');
        return this.ctx.t.withdrawRestarted(who, meeting.title);
      case 'delete-earlier-recordings':
      case 'delete-recordings':
        return this.deleteRecordings(meeting, 'withdrawal', who);
      case 'nothing':
        return null;
    }
  }

  /**
   * Ends the recorded session and opens an unrecorded one. BBB cannot stop a recording in a
   * running session (reference §4.3), so the only honest way is a new session; its links carry the
   * new createTime, so old links cannot enter it.
   */
  private async restartUnrecorded(meeting: MeetingRow): Promise<void> {
    const { meetings } = this.ctx.stores;
    const old = meetings.currentSession(meeting.id);
    if (!old) return;
    const successor = meetings.replaceSession(
      old.id,
      'withdrawal',
      newBbbMeetingId(meeting.id),
      this.ctx.now(),
    );
    if (!successor) return;
    try {
      await this.ctx.bbb.end(old.bbbMeetingId);
    } catch (error) {
      this.ctx.log.error(
        { err: error, meetingId: meeting.id, sessionId: old.id },
        'could not end recorded session',
      );
    }
    this.ctx.stores.audit.append({
      at: this.ctx.now(),
      actorId: this.ctx.chat.botUserId,
      action: 'session.ended',
      meetingId: meeting.id,
      details: { sessionId: old.id, reason: 'withdrawal', successor: successor.id },
    });
    // The room hears about the new session from the withdrawal message, not a second announcement.
    meetings.updateSession(successor.id, { announcedAt: this.ctx.now() });
    await this.opening.resume(meeting.id);
  }

  /** Deletes every recording of the meeting now; what cannot go now stays purge-pending. */
  private async deleteRecordings(meeting: MeetingRow, reason: string, who?: Rich): Promise<Rich | null> {
    const listed = await this.discovery.discoverMeeting(meeting.id);
    const { recordings, meetings } = this.ctx.stores;
    const rows = recordings.ofMeeting(meeting.id).filter((r) => r.state !== 'purged');
    const outcome = await this.purger.purge(rows, reason, this.ctx.chat.botUserId);
    if (!who) return null;
    const name = (startTime: number | null) =>
      this.ctx.t.recordingName(
        meeting.title,
        this.ctx.date(startTime ?? meeting.openedAt ?? meeting.createdAt),
      );
    // BBB could not be asked: a recorded session may have a recording we do not know yet. It is
    // not "no recordings": discovery marks it for deletion when it finds it, and the job deletes it.
    const unknown = listed
      ? []
      : meetings
          .sessions(meeting.id)
          .filter((s) => s.record && s.confirmedAt && recordings.ofSession(s.id).length === 0);
    return this.ctx.t.withdrawDeleted(
      who,
      outcome.deleted.map((r) => name(r.startTime)),
      [...outcome.failed.map((f) => name(f.recording.startTime)), ...unknown.map((s) => name(s.createdAt))],
    );
  }
}
