import AsyncLock from 'async-lock';
import type { RecordingRow } from '../db/recordings-store.js';
import {
  DAY_MS,
  DIRECT_ROOM_GRACE_DAYS,
  deletionDue,
  evidenceCutoff,
  expired,
  PROCESSED_EVENTS_DAYS,
} from '../domain/retention.js';
import { lines } from '../i18n/rich.js';
import type { AppContext } from './context.js';
import type { MeetingLifecycle } from './lifecycle.js';
import type { Outbox } from './outbox.js';
import type { PurgeOutcome, Purger } from './purge.js';
import { WATCH_DAYS } from './recording-discovery.js';

export interface RetentionRun extends PurgeOutcome {
  prunedMeetings: number;
  expiredMeetings: number;
  /** People whose DM room the bot forgot (no meeting of theirs left). */
  forgottenPeople: number;
}

/**
 * The retention and purge job (design.md §3.7): deletes expired recordings, retries purge-pending
 * ones, expires meetings that never opened, and prunes consent evidence once it has outlived the last
 * recording by the configured period, with every row and marker about a person no meeting names.
 * Runs never overlap: the cron and `!purge --expired` share one lock.
 */
export class RetentionJob {
  private readonly lock = new AsyncLock();
  /** Whether this process has applied the configured retention to the recordings kept. */
  private datesChecked = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly purger: Purger,
    private readonly outbox: Outbox,
    private readonly lifecycle: MeetingLifecycle,
    private readonly timed: <T>(run: () => Promise<T>) => Promise<T> = (run) => run(),
  ) {}

  get running(): boolean {
    return this.lock.isBusy('retention');
  }

  run(onProgress?: (done: number, total: number) => void): Promise<RetentionRun> {
    return this.timed(() => this.lock.acquire('retention', () => this.runOnce(onProgress)));
  }

  private async runOnce(onProgress?: (done: number, total: number) => void): Promise<RetentionRun> {
    const { recordings, audit } = this.ctx.stores;
    const started = this.ctx.now();
    if (!this.datesChecked) {
      // The configured period can only have changed with a restart: checked at a process's first run.
      const days = this.ctx.config.retention.recordingDays;
      const shortened = recordings.bringDeletionForward((startTime) => deletionDue(startTime, days));
      if (shortened)
        this.ctx.log.info(
          { recordings: shortened, recordingDays: days },
          'retention shortened: deletion dates brought forward',
        );
      this.datesChecked = true;
    }
    const due = recordings.dueForPurge(started);
    const outcome = await this.purger.purge(due, 'retention', this.ctx.chat.botUserId, onProgress);
    await this.confirmLateDeletions(outcome.deleted);
    // Withdrawals' deletion orders (recordings not listed yet, sessions still ending) are retried
    // here too, besides the frequent tick.
    await this.outbox.runAll();
    const expiredMeetings = await this.expireUnanswered();
    const cutoff = evidenceCutoff(this.ctx.now(), this.ctx.config.retention.evidenceDaysAfterPurge);
    // A recorded session's recording may still appear in BBB: its meeting stays known until then.
    const prunable = recordings.meetingsWithEvidenceOlderThan(cutoff, started - WATCH_DAYS * DAY_MS);
    const { meetings, state } = this.ctx.stores;
    const sessionIds = prunable.flatMap((id) => meetings.sessions(id).map((s) => s.id));
    const recordIds = prunable.flatMap((id) => recordings.ofMeeting(id).map((r) => r.recordId));
    // Markers first: once the meetings are gone, a later run could no longer find what names them
    // (a failure in between, e.g. a locked database, would leave them forever); forgetting twice is harmless.
    state.forgetMeetings(prunable);
    state.forgetSessionsAndRecordings(sessionIds, recordIds);
    recordings.pruneMeetings(prunable);
    if (prunable.length) {
      meetings.pruneUnusedConsentTexts();
      meetings.pruneUnusedNotices();
    }
    for (const meetingId of prunable) {
      audit.append({
        at: this.ctx.now(),
        actorId: this.ctx.chat.botUserId,
        action: 'evidence.pruned',
        meetingId,
      });
    }
    // What is left about people no meeting names any more.
    audit.pruneWithoutMeeting(cutoff);
    const forgottenPeople = state.forgetDirectRoomsWithoutMeetings(
      this.ctx.now() - DIRECT_ROOM_GRACE_DAYS * DAY_MS,
    );
    // The idempotency table would otherwise grow with every command and reaction, forever.
    const forgotten = this.ctx.stores.state.forgetEventsBefore(
      this.ctx.now() - PROCESSED_EVENTS_DAYS * DAY_MS,
    );
    this.ctx.log.info(
      {
        forgottenEvents: forgotten,
        due: due.length,
        deleted: outcome.deleted.length,
        failed: outcome.failed.length,
        prunedMeetings: prunable.length,
        expiredMeetings,
        forgottenPeople,
        ms: this.ctx.now() - started,
      },
      'retention run finished',
    );
    return { ...outcome, prunedMeetings: prunable.length, expiredMeetings, forgottenPeople };
  }

  /** Meetings planned without a time that never opened (limits.unansweredDays): cancelled, and said so. */
  private async expireUnanswered(): Promise<number> {
    const days = this.ctx.config.limits.unansweredDays;
    let count = 0;
    for (const meeting of this.ctx.stores.meetings.inStates(['collecting'])) {
      if (!expired(meeting, days, this.ctx.now())) continue;
      const done = await this.ctx.withMeeting(meeting.id, async () => {
        const current = this.ctx.stores.meetings.get(meeting.id);
        if (!current || !expired(current, days, this.ctx.now())) return false;
        const bot = this.ctx.chat.botUserId;
        await this.lifecycle.step(
          meeting.id,
          { type: 'cancel' },
          { eventId: null, actorId: bot, source: 'command' },
        );
        this.ctx.stores.audit.append({
          at: this.ctx.now(),
          actorId: bot,
          action: 'meeting.expired',
          meetingId: meeting.id,
          details: { unansweredDays: days },
        });
        return true;
      });
      if (!done) continue;
      count++;
      await this.ctx.chat
        .send(
          meeting.roomId,
          this.ctx.t.meetingExpired(meeting.title, days, this.ctx.config.matrix.commandPrefix),
          {
            key: `expired:${meeting.id}`,
          },
        )
        .catch((error: unknown) =>
          this.ctx.log.warn({ err: error, meetingId: meeting.id }, 'could not say that a meeting expired'),
        );
    }
    return count;
  }

  /**
   * A withdrawal whose recordings could not all be deleted at once was answered with "will be
   * retried"; when the retry succeeds, the room hears that too (design.md §3.6).
   */
  private async confirmLateDeletions(deleted: RecordingRow[]): Promise<void> {
    const byMeeting = new Map<number, RecordingRow[]>();
    for (const row of deleted.filter((r) => r.purgeReason === 'withdrawal')) {
      byMeeting.set(row.meetingId, [...(byMeeting.get(row.meetingId) ?? []), row]);
    }
    for (const [meetingId, rows] of byMeeting) {
      const meeting = this.ctx.stores.meetings.get(meetingId);
      if (!meeting) continue;
      const names = rows.map((r) =>
        this.ctx.t.recordingName(
          meeting.title,
          this.ctx.date(r.startTime ?? meeting.openedAt ?? meeting.createdAt),
        ),
      );
      const key = `deleted-later:${rows.map((r) => r.recordId).join(',')}`;
      await this.ctx.chat
        .send(meeting.roomId, lines([this.ctx.t.deletedAfterWithdrawal(names), this.ctx.deletionMeans()]), {
          key,
        })
        .catch((error: unknown) =>
          this.ctx.log.warn({ err: error, meetingId }, 'could not confirm a late deletion'),
        );
    }
  }
}
