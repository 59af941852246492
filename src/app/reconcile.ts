import type { ConsentIntake } from './consent-intake.js';
import type { AppContext } from './context.js';
import type { Opening } from './opening.js';
import type { Planning } from './planning.js';
import type { PromptUpdater } from './prompt-updater.js';
import type { Withdrawal } from './withdrawal.js';

/**
 * Start-up reconciliation (design.md §3.8). matrix-bot-sdk saves its sync token before handlers
 * run, so events can be missed in a crash; instead of trusting that, the bot re-reads the
 * reactions the homeserver holds for every open prompt. Answers given while it was down count,
 * ✅s removed while it was down count as withdrawals, and unfinished steps are resumed.
 */
export class Reconciler {
  constructor(
    private readonly ctx: AppContext,
    private readonly planning: Planning,
    private readonly opening: Opening,
    private readonly intake: ConsentIntake,
    private readonly withdrawal: Withdrawal,
    private readonly prompts: PromptUpdater,
  ) {}

  async run(): Promise<void> {
    const active = this.ctx.stores.meetings.inStates(['collecting', 'open']);
    for (const meeting of active) {
      try {
        await this.reconcileMeeting(meeting.id);
      } catch (error) {
        this.ctx.log.error({ err: error, meetingId: meeting.id }, 'reconciliation of a meeting failed');
      }
    }
    this.ctx.log.info({ meetings: active.length }, 'reconciled open meetings');
  }

  private async reconcileMeeting(meetingId: number): Promise<void> {
    const meeting = this.ctx.stores.meetings.get(meetingId)!;
    if (!meeting.promptEventId) {
      await this.ctx.withMeeting(meetingId, () => this.planning.postPrompt(meetingId));
      return;
    }
    if (!meeting.noRecord) {
      const seen = await this.ctx.chat.reactionsTo(meeting.roomId, meeting.promptEventId);
      // Vanished ✅s first: a new answer must not open the meeting on a consent that is gone.
      await this.withdrawVanishedAgreements(meetingId, new Set(seen.map((r) => r.eventId)));
      for (const reaction of seen) {
        await this.intake.onReaction(
          {
            roomId: meeting.roomId,
            sender: reaction.sender,
            eventId: reaction.eventId,
            relatesTo: meeting.promptEventId,
            key: reaction.key,
          },
          'reconcile',
        );
      }
    }
    this.prompts.request(meetingId);
    await this.ctx.withMeeting(meetingId, async () => {
      const current = this.ctx.stores.meetings.get(meetingId)!;
      if (current.state === 'collecting') await this.opening.openIfDue(meetingId);
      else if (current.state === 'open') await this.opening.resume(meetingId);
    });
  }

  /** A ✅ that is current in the ledger but gone from the homeserver was redacted while we were down. */
  private async withdrawVanishedAgreements(meetingId: number, present: Set<string>): Promise<void> {
    await this.ctx.withMeeting(meetingId, async () => {
      const meeting = this.ctx.stores.meetings.get(meetingId)!;
      const latest = new Map<string, ReturnType<typeof this.ctx.stores.meetings.consentEvents>[number]>();
      for (const e of this.ctx.stores.meetings.consentEvents(meetingId)) latest.set(e.userId, e);
      for (const entry of latest.values()) {
        if (entry.kind !== 'agree' || !entry.reactionEventId || present.has(entry.reactionEventId)) continue;
        const message = await this.withdrawal.withdraw(meeting, {
          userId: entry.userId,
          actorId: entry.userId,
          matrixEventId: `reconcile:${entry.reactionEventId}`,
          source: 'reconcile',
        });
        if (message && meeting.state !== 'collecting') await this.ctx.chat.send(meeting.roomId, message);
      }
    });
  }
}
