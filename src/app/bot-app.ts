import { ConsentIntake } from './consent-intake.js';
import type { AppContext } from './context.js';
import { DirectPrompts } from './direct-prompts.js';
import { DirectRooms } from './direct-rooms.js';
import { Guests } from './guests.js';
import { MeetingLifecycle } from './lifecycle.js';
import { Opening } from './opening.js';
import { Outbox } from './outbox.js';
import { Planning } from './planning.js';
import { PlaybackLinks } from './playback.js';
import { PromptUpdater } from './prompt-updater.js';
import { Purger } from './purge.js';
import { Reconciler } from './reconcile.js';
import { RecordingDiscovery } from './recording-discovery.js';
import { Reminders } from './reminders.js';
import { RetentionJob } from './retention.js';
import { Withdrawal } from './withdrawal.js';

/** The application services, wired together once; the chat adapter and the jobs call into these. */
export class BotApp {
  readonly prompts: PromptUpdater;
  readonly lifecycle: MeetingLifecycle;
  readonly directRooms: DirectRooms;
  readonly opening: Opening;
  readonly outbox: Outbox;
  readonly planning: Planning;
  readonly direct: DirectPrompts;
  readonly purger: Purger;
  readonly discovery: RecordingDiscovery;
  readonly playback: PlaybackLinks;
  readonly withdrawal: Withdrawal;
  readonly intake: ConsentIntake;
  readonly reconciler: Reconciler;
  readonly retention: RetentionJob;
  readonly reminders: Reminders;
  readonly guests: Guests;

  constructor(
    readonly ctx: AppContext,
    options: {
      promptEditDelayMs?: number;
      /** Wraps each retention run (the metrics time it). */
      timeRetention?: <T>(run: () => Promise<T>) => Promise<T>;
    } = {},
  ) {
    this.prompts = new PromptUpdater(ctx, options.promptEditDelayMs);
    this.lifecycle = new MeetingLifecycle(ctx, this.prompts);
    this.directRooms = new DirectRooms(ctx);
    this.opening = new Opening(ctx, this.prompts, this.directRooms);
    this.purger = new Purger(ctx);
    this.discovery = new RecordingDiscovery(ctx, this.prompts, this.lifecycle);
    this.playback = new PlaybackLinks(ctx, (userId) => this.directRooms.get(userId));
    this.discovery.onAvailable = async (recording) => this.playback.schedule(recording);
    this.outbox = new Outbox(ctx, this.lifecycle, this.opening, this.purger, this.discovery);
    this.lifecycle.runner = this.outbox;
    this.direct = new DirectPrompts(ctx, this.directRooms);
    this.withdrawal = new Withdrawal(ctx, this.lifecycle, this.discovery, this.direct);
    this.guests = new Guests(ctx, this.lifecycle, this.withdrawal, this.directRooms);
    this.planning = new Planning(ctx, this.lifecycle, this.direct, this.guests);
    this.intake = new ConsentIntake(ctx, this.lifecycle, this.outbox, this.withdrawal, this.direct);
    this.retention = new RetentionJob(ctx, this.purger, this.outbox, this.lifecycle, options.timeRetention);
    this.reminders = new Reminders(ctx);
    this.reconciler = new Reconciler(
      ctx,
      this.planning,
      this.intake,
      this.outbox,
      this.prompts,
      this.directRooms,
      this.lifecycle,
    );
  }

  /**
   * The frequent job: opens meetings whose time has come, and runs the outbox: sessions BBB has not
   * confirmed yet, `end`s not confirmed, deletions after withdrawals, links not delivered.
   */
  async tick(): Promise<void> {
    const { meetings } = this.ctx.stores;
    for (const meeting of meetings.inStates(['collecting'])) {
      // A notice or prompt the homeserver refused while planning (a 502, a timeout) is posted now,
      // not only at the next start: without it nobody can answer. Resumable and keyed: never twice.
      if (!meeting.promptEventId) {
        await this.ctx
          .withMeeting(meeting.id, () => this.planning.postPrompt(meeting.id))
          .catch((error: unknown) =>
            this.ctx.log.warn({ err: error, meetingId: meeting.id }, 'could not post the prompt yet'),
          );
        continue;
      }
      if (meeting.scheduledAt !== null && meeting.scheduledAt <= this.ctx.now()) {
        await this.ctx.withMeeting(meeting.id, () => this.planning.openIfDue(meeting.id));
      }
    }
    await this.outbox.runAll();
    await this.direct.postAllMissing();
  }

  async close(): Promise<void> {
    await this.playback.idle();
    await this.prompts.flush();
    this.prompts.close();
  }
}
