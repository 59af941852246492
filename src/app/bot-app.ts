import { RetentionJob } from '../jobs/retention.js';
import { ConsentIntake } from './consent-intake.js';
import type { AppContext } from './context.js';
import { Opening } from './opening.js';
import { Planning } from './planning.js';
import { PlaybackLinks } from './playback.js';
import { PromptUpdater } from './prompt-updater.js';
import { Purger } from './purge.js';
import { Reconciler } from './reconcile.js';
import { RecordingDiscovery } from './recording-discovery.js';
import { Withdrawal } from './withdrawal.js';

/** The application services, wired together once; the chat adapter and the jobs call into these. */
export class BotApp {
  readonly prompts: PromptUpdater;
  readonly opening: Opening;
  readonly planning: Planning;
  readonly purger: Purger;
  readonly discovery: RecordingDiscovery;
  readonly playback: PlaybackLinks;
  readonly withdrawal: Withdrawal;
  readonly intake: ConsentIntake;
  readonly reconciler: Reconciler;
  readonly retention: RetentionJob;

  constructor(
    readonly ctx: AppContext,
    options: { promptEditDelayMs?: number } = {},
  ) {
    this.prompts = new PromptUpdater(ctx, options.promptEditDelayMs);
    this.opening = new Opening(ctx, this.prompts);
    this.planning = new Planning(ctx, this.opening, this.prompts);
    this.purger = new Purger(ctx);
    this.discovery = new RecordingDiscovery(ctx, this.prompts);
    this.playback = new PlaybackLinks(ctx, (userId) => this.opening.directRoom(userId));
    this.discovery.onAvailable = (recording) => this.playback.deliverReady(recording);
    this.withdrawal = new Withdrawal(ctx, this.opening, this.prompts, this.purger, this.discovery);
    this.intake = new ConsentIntake(ctx, this.opening, this.prompts, this.withdrawal);
    this.retention = new RetentionJob(ctx, this.purger);
    this.reconciler = new Reconciler(
      ctx,
      this.planning,
      this.opening,
      this.intake,
      this.withdrawal,
      this.prompts,
    );
  }

  /**
   * The frequent job: opens meetings whose time has come and retries sessions BBB has not
   * confirmed yet (it was unreachable at opening time).
   */
  async tick(): Promise<void> {
    const { meetings } = this.ctx.stores;
    for (const meeting of meetings.inStates(['collecting'])) {
      if (meeting.scheduledAt !== null && meeting.scheduledAt <= this.ctx.now()) {
        await this.ctx.withMeeting(meeting.id, () => this.opening.openIfDue(meeting.id));
      }
    }
    for (const session of meetings.unconfirmedSessions()) {
      await this.ctx.withMeeting(session.meetingId, () => this.opening.resume(session.meetingId));
    }
  }

  async close(): Promise<void> {
    await this.prompts.flush();
    this.prompts.close();
  }
}
