import { answerFromReactionKey } from '../domain/consent.js';
import type { ConsentIntake } from './consent-intake.js';
import type { AppContext } from './context.js';
import type { Outbox } from './outbox.js';
import type { Planning } from './planning.js';
import type { ReactionSeen } from './ports.js';
import type { PromptUpdater } from './prompt-updater.js';
import { mayHoldRecording } from './withdrawal.js';

/**
 * Start-up reconciliation (design.md §3.8). matrix-bot-sdk saves its sync token before handlers
 * run, so events can be missed in a crash; instead of trusting that, the bot re-reads the
 * reactions the homeserver holds for every open prompt. Answers given while it was down count,
 * ✅s removed while it was down count as withdrawals, and unfinished steps are resumed.
 *
 * Every meeting to reconcile is held ({@link hold}, before the sync starts): its live events wait,
 * in arrival order, until its reconciliation is finished.
 */
export class Reconciler {
  private held: number[] | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly planning: Planning,
    private readonly intake: ConsentIntake,
    private readonly outbox: Outbox,
    private readonly prompts: PromptUpdater,
  ) {}

  /**
   * Holds every meeting to reconcile; call before live events can arrive. Those are the active ones,
   * and closed or cancelled ones whose recorded session may still have a recording: a ✅ removed
   * while the bot was down withdraws there too, and deletes it.
   */
  hold(): void {
    if (this.held) return;
    const { meetings } = this.ctx.stores;
    const over = meetings
      .inStates(['closed', 'cancelled'])
      .filter((m) => m.promptEventId !== null && !m.noRecord && mayHoldRecording(this.ctx.stores, m.id));
    this.held = [...meetings.inStates(['collecting', 'open']), ...over].map((m) => m.id);
    this.ctx.hold(this.held);
  }

  async run(): Promise<void> {
    this.hold();
    const ids = this.held ?? [];
    this.held = null;
    for (const id of ids) {
      try {
        await this.ctx.reconciling(id, () => this.reconcileMeeting(id));
      } catch (error) {
        this.ctx.log.error({ err: error, meetingId: id }, 'reconciliation of a meeting failed');
      } finally {
        this.ctx.release(id);
      }
    }
    this.ctx.log.info({ meetings: ids.length }, 'reconciled meetings');
  }

  /** Runs under the meeting's lock. */
  private async reconcileMeeting(meetingId: number): Promise<void> {
    const meeting = this.ctx.stores.meetings.get(meetingId)!;
    if (!meeting.promptEventId) {
      await this.planning.postPrompt(meetingId);
      return;
    }
    if (!meeting.noRecord) {
      // The prompts people answer on: the one in the room, or each invitee's own in their DM room.
      const prompts =
        meeting.consentAsk === 'room'
          ? [{ roomId: meeting.roomId, eventId: meeting.promptEventId, userId: null as string | null }]
          : this.ctx.stores.meetings.dmPrompts(meetingId);
      const seen: (ReactionSeen & { roomId: string; relatesTo: string })[] = [];
      for (const prompt of prompts) {
        for (const reaction of await this.ctx.chat.reactionsTo(prompt.roomId, prompt.eventId)) {
          // On a private prompt only its person answers.
          if (prompt.userId !== null && reaction.sender !== prompt.userId) continue;
          seen.push({ ...reaction, roomId: prompt.roomId, relatesTo: prompt.eventId });
        }
      }
      seen.sort((a, b) => a.ts - b.ts);
      // Vanished reactions first: a new answer must not open the meeting on a consent that is gone.
      const present = new Set(seen.map((r) => r.eventId));
      const latest = new Map<string, ReturnType<typeof this.ctx.stores.meetings.consentEvents>[number]>();
      for (const e of this.ctx.stores.meetings.consentEvents(meetingId)) latest.set(e.userId, e);
      for (const entry of latest.values()) {
        if (!entry.reactionEventId || present.has(entry.reactionEventId)) continue;
        const roomId = this.intake.answerRoom(meeting, entry.userId);
        if (!roomId) continue;
        // Who removed it decides: the person (a withdrawal) or a moderator (asked again before
        // opening, nothing after). Unknown: counted as the person's, the careful reading.
        const redactor = await this.ctx.chat.redactedBy(roomId, entry.reactionEventId);
        await this.intake.applyRedaction(
          meetingId,
          {
            roomId,
            sender: redactor ?? entry.userId,
            eventId: `reconcile:${entry.reactionEventId}`,
            redacts: entry.reactionEventId,
          },
          'reconcile',
        );
      }
      for (const reaction of seen) {
        const answer = answerFromReactionKey(reaction.key);
        if (!answer || reaction.sender === this.ctx.chat.botUserId) continue;
        await this.intake.applyReaction(
          meetingId,
          {
            roomId: reaction.roomId,
            sender: reaction.sender,
            eventId: reaction.eventId,
            relatesTo: reaction.relatesTo,
            key: reaction.key,
          },
          answer,
          'reconcile',
        );
      }
    }
    // Only now, on the state after every answer read: open (if everyone answered) and act.
    this.prompts.request(meetingId);
    await this.planning.openIfDue(meetingId);
    await this.outbox.runMeeting(meetingId);
  }
}
