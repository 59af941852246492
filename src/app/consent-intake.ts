import type { MeetingRow } from '../db/meetings-store.js';
import { answerFromReactionKey } from '../domain/consent.js';
import type { AppContext } from './context.js';
import type { Opening } from './opening.js';
import type { PromptUpdater } from './prompt-updater.js';
import type { Withdrawal } from './withdrawal.js';

export interface ReactionInput {
  roomId: string;
  sender: string;
  eventId: string;
  /** The event the reaction annotates. */
  relatesTo: string;
  key: string;
}

/**
 * Turns reactions on consent prompts into ledger entries (design.md §3.2). Only ✅/❌ by an invitee on
 * a prompt of the same room count; every entry is keyed by the reaction's event ID, so replays and
 * start-up reconciliation never count twice.
 */
export class ConsentIntake {
  constructor(
    private readonly ctx: AppContext,
    private readonly opening: Opening,
    private readonly prompts: PromptUpdater,
    private readonly withdrawal: Withdrawal,
  ) {}

  async onReaction(input: ReactionInput, source: 'reaction' | 'reconcile' = 'reaction'): Promise<void> {
    if (input.sender === this.ctx.chat.botUserId) return;
    const answer = answerFromReactionKey(input.key);
    if (!answer) return;
    const found = this.ctx.stores.meetings.byPrompt(input.relatesTo);
    // A relation pointing at a prompt in another room is forged or confused: it changes nothing.
    if (!found || found.roomId !== input.roomId || found.noRecord) return;
    await this.ctx.withMeeting(found.id, async () => {
      const meeting = this.ctx.stores.meetings.get(found.id)!;
      if (meeting.state !== 'collecting' && meeting.state !== 'open') return;
      if (this.ctx.stores.meetings.hasConsentEvent(input.eventId)) return;
      const latest = this.ctx.stores.meetings.statusOf(meeting.id, input.sender);
      if (latest === undefined) {
        this.ctx.log.debug({ meetingId: meeting.id }, 'reaction by a non-invitee ignored');
        return;
      }
      // After opening, a ❌ from someone who had agreed is a withdrawal, with all its effects.
      if (meeting.state === 'open' && answer === 'decline' && latest === 'agree') {
        const message = await this.withdrawal.withdraw(meeting, {
          userId: input.sender,
          actorId: input.sender,
          matrixEventId: input.eventId,
          source,
        });
        if (message) await this.ctx.chat.send(meeting.roomId, message);
        return;
      }
      this.append(meeting, input, answer, source);
      this.prompts.request(meeting.id);
      if (meeting.state === 'collecting') await this.opening.openIfDue(meeting.id);
      else if (answer === 'agree') await this.opening.resume(meeting.id); // a late invitee's link
    });
  }

  /** Redacting one's ✅ withdraws consent; redacting a ❌ changes nothing (no consent was given). */
  async onRedaction(input: {
    roomId: string;
    sender: string;
    eventId: string;
    redacts: string;
  }): Promise<void> {
    const entry = this.ctx.stores.meetings.consentByReaction(input.redacts);
    if (entry?.kind !== 'agree') return;
    const found = this.ctx.stores.meetings.get(entry.meetingId);
    if (!found || found.roomId !== input.roomId) return;
    await this.ctx.withMeeting(found.id, async () => {
      const meeting = this.ctx.stores.meetings.get(found.id)!;
      if (!this.isLatestOfUser(meeting, entry.userId, entry.id)) return;
      const message = await this.withdrawal.withdraw(meeting, {
        userId: entry.userId,
        actorId: input.sender,
        matrixEventId: input.eventId,
        source: 'redaction',
      });
      if (message && meeting.state !== 'collecting') await this.ctx.chat.send(meeting.roomId, message);
    });
  }

  private append(
    meeting: MeetingRow,
    input: ReactionInput,
    answer: 'agree' | 'decline',
    source: string,
  ): void {
    const now = this.ctx.now();
    const stored = this.ctx.stores.meetings.appendConsent({
      meetingId: meeting.id,
      userId: input.sender,
      kind: answer,
      at: now,
      matrixEventId: input.eventId,
      reactionEventId: input.eventId,
      noticeSha256: meeting.noticeSha256,
      actorId: input.sender,
      source: source === 'reconcile' ? 'reconcile' : 'reaction',
    });
    if (stored) {
      this.ctx.stores.audit.append({
        at: now,
        actorId: input.sender,
        action: answer === 'agree' ? 'consent.agree' : 'consent.decline',
        meetingId: meeting.id,
        subjectId: input.sender,
        // The reaction's event ID and its key as read (after decryption in an encrypted room).
        details: { eventId: input.eventId, key: input.key, notice: meeting.noticeSha256 },
      });
    }
  }

  private isLatestOfUser(meeting: MeetingRow, userId: string, entryId: number): boolean {
    const own = this.ctx.stores.meetings.consentEvents(meeting.id).filter((e) => e.userId === userId);
    return own.at(-1)?.id === entryId;
  }
}
