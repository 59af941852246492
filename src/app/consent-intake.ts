import { type Answer, answerFromReactionKey } from '../domain/consent.js';
import { mention } from '../i18n/rich.js';
import type { AppContext } from './context.js';
import type { DirectPrompts } from './direct-prompts.js';
import { permalink } from './notice-posting.js';
import type { Outbox } from './outbox.js';
import { nameOf, readMeeting } from './views.js';
import type { Withdrawal } from './withdrawal.js';

export interface ReactionInput {
  roomId: string;
  sender: string;
  eventId: string;
  /** The event the reaction annotates. */
  relatesTo: string;
  key: string;
}

export interface RedactionInput {
  roomId: string;
  sender: string;
  eventId: string;
  redacts: string;
}

/**
 * Turns reactions on consent prompts, and their redactions, into lifecycle events (design.md §3.2).
 * Only ✅/❌ by an invitee on a prompt of the same room count: the meeting's prompt in its room
 * (consent.ask "room"), or the person's own prompt in their DM room ("direct"); every entry is keyed
 * by the reaction's event ID, so replays and start-up reconciliation never count twice.
 *
 * Order: events of one meeting are applied in the order they arrived. Everything before taking the
 * meeting's lock is synchronous, so the lock's FIFO queue holds them in arrival order; a redaction
 * finds the meeting of a reaction that is still queued (not yet in the ledger) through `queued`, and
 * looks the ledger up only under the lock, after that reaction was applied.
 */
export class ConsentIntake {
  /** Reactions waiting for their meeting's lock: reaction event ID → meeting ID. */
  private readonly queued = new Map<string, number>();
  /** "meeting ID, user" already pointed from the notice to the prompt: once is enough. */
  private readonly pointed = new Set<string>();

  constructor(
    private readonly ctx: AppContext,
    private readonly outbox: Outbox,
    private readonly withdrawal: Withdrawal,
    private readonly direct: DirectPrompts,
  ) {}

  /**
   * The meeting whose prompt a reaction annotates, if the reaction may answer it: in the meeting's
   * room on a room-mode prompt, or in the DM room on the sender's own private prompt.
   */
  private promptMeeting(input: ReactionInput) {
    const { meetings } = this.ctx.stores;
    const inRoom = meetings.byPrompt(input.relatesTo);
    if (inRoom) return inRoom.roomId === input.roomId && inRoom.consentAsk === 'room' ? inRoom : undefined;
    const dm = meetings.dmPromptByEvent(input.relatesTo);
    if (!dm || dm.roomId !== input.roomId || dm.userId !== input.sender) return undefined;
    return meetings.get(dm.meetingId);
  }

  /** The room where this person's answers to this meeting are given. */
  answerRoom(
    meeting: { id: number; roomId: string; consentAsk: string },
    userId: string,
  ): string | undefined {
    if (meeting.consentAsk === 'room') return meeting.roomId;
    return this.ctx.stores.meetings.dmPrompt(meeting.id, userId)?.roomId;
  }

  onReaction(input: ReactionInput, source: 'reaction' | 'reconcile' = 'reaction'): Promise<void> {
    if (input.sender === this.ctx.chat.botUserId) return Promise.resolve();
    const answer = answerFromReactionKey(input.key);
    if (!answer) return Promise.resolve();
    // A relation pointing at a prompt in another room is forged or confused: it changes nothing.
    const found = this.promptMeeting(input);
    if (!found) return this.pointToPrompt(input);
    if (found.noRecord) return Promise.resolve();
    this.queued.set(input.eventId, found.id);
    return this.ctx
      .withMeeting(found.id, () => this.applyReaction(found.id, input, answer, source))
      .finally(() => this.queued.delete(input.eventId));
  }

  /**
   * ✅/❌ on a meeting's privacy notice (its first layer, or the full text, which explains the two
   * answers) is no answer: consent is given on the prompt. Instead of silence, the invitee is told
   * where to answer, once per meeting, while it still collects answers.
   */
  private async pointToPrompt(input: ReactionInput): Promise<void> {
    const { meetings, state } = this.ctx.stores;
    const meeting = meetings
      .inRoom(input.roomId, ['collecting'])
      .find(
        (m) =>
          !m.noRecord &&
          m.consentAsk === 'room' &&
          m.promptEventId &&
          (m.noticeEventId === input.relatesTo ||
            state.read(`notice-full:${m.roomId}:${m.noticeSha256}`) === input.relatesTo),
      );
    if (!meeting?.promptEventId) return;
    const view = readMeeting(this.ctx, meeting);
    // Only someone who still owes an answer (and may believe this was it).
    if (view.statuses.get(input.sender) !== 'pending') return;
    const once = `${meeting.id} ${input.sender}`;
    if (this.pointed.has(once)) return;
    this.pointed.add(once);
    await this.ctx.chat.send(
      meeting.roomId,
      this.ctx.t.answerOnPrompt(
        mention(input.sender, nameOf(view, input.sender)),
        meeting.title,
        permalink(meeting.roomId, meeting.promptEventId, this.ctx.chat.botUserId),
      ),
      { notice: true },
    );
  }

  /** Caller holds the meeting lock (live intake, or start-up reconciliation). */
  async applyReaction(
    meetingId: number,
    input: ReactionInput,
    answer: Answer,
    source: 'reaction' | 'reconcile',
  ): Promise<void> {
    if (this.ctx.stores.meetings.hasConsentEvent(input.eventId)) return;
    // Given before the person was invited: it was no answer then and is none now (see lifecycle).
    if (this.ctx.stores.state.isNoAnswer(meetingId, input.eventId)) return;
    const meeting = this.ctx.stores.meetings.get(meetingId);
    if (!meeting) return;
    const status = this.ctx.stores.meetings.model(meeting).answers.get(input.sender);
    // After opening, a ❌ from someone who had agreed withdraws, with all its effects and a message.
    if (meeting.state !== 'collecting' && answer === 'decline' && status === 'agreed') {
      const outcome = await this.withdrawal.withdraw(meeting, {
        userId: input.sender,
        actorId: input.sender,
        matrixEventId: input.eventId,
        source,
      });
      if (outcome) await this.withdrawal.tell(outcome);
      return;
    }
    const meta = {
      eventId: input.eventId,
      reactionEventId: input.eventId,
      reactionKey: input.key,
      actorId: input.sender,
      source,
    };
    // Read at start-up among other answers given while the bot was down: nothing is acted on until
    // the reconciler has read them all (see Reconciler.reconcileMeeting).
    if (source === 'reconcile') {
      this.outbox.record(meetingId, { type: 'answer', userId: input.sender, answer, catchingUp: true }, meta);
      return;
    }
    await this.outbox.step(meetingId, { type: 'answer', userId: input.sender, answer }, meta);
  }

  onRedaction(input: RedactionInput, source: 'redaction' | 'reconcile' = 'redaction'): Promise<void> {
    const meetingId =
      this.queued.get(input.redacts) ?? this.ctx.stores.meetings.consentByReaction(input.redacts)?.meetingId;
    if (meetingId === undefined) return Promise.resolve();
    return this.ctx.withMeeting(meetingId, () => this.applyRedaction(meetingId, input, source));
  }

  /**
   * Caller holds the meeting lock. Who removed the reaction matters: the person themself withdraws
   * (✅) or un-answers (❌ before opening); someone else (a moderator) cannot withdraw for them.
   */
  async applyRedaction(
    meetingId: number,
    input: RedactionInput,
    source: 'redaction' | 'reconcile',
  ): Promise<void> {
    const { meetings } = this.ctx.stores;
    const entry = meetings.consentByReaction(input.redacts);
    const meeting = meetings.get(meetingId);
    if (!entry || !meeting || entry.meetingId !== meetingId) return;
    if (this.answerRoom(meeting, entry.userId) !== input.roomId) return;
    if (entry.kind !== 'agree' && entry.kind !== 'decline') return;
    const own = meetings.consentEvents(meetingId).filter((e) => e.userId === entry.userId);
    if (own.at(-1)?.id !== entry.id) return; // an older answer: removing it changes nothing
    if (entry.kind === 'agree' && input.sender === entry.userId) {
      const outcome = await this.withdrawal.withdraw(meeting, {
        userId: entry.userId,
        actorId: input.sender,
        matrixEventId: input.eventId,
        source,
      });
      if (outcome) await this.withdrawal.tell(outcome, { quietBeforeOpening: true });
      return;
    }
    const result = await this.outbox.step(
      meetingId,
      { type: 'answer-removed', userId: entry.userId, answer: entry.kind, removedBy: input.sender },
      { eventId: input.eventId, actorId: input.sender, source },
    );
    if (!result) return;
    for (const effect of result.applied.effects) {
      if (effect.type === 'ask-again') {
        const view = readMeeting(this.ctx, result.applied.meeting);
        const message = this.ctx.t.answerRemovedAskAgain(
          mention(effect.userId, nameOf(view, effect.userId)),
          meeting.title,
        );
        if (meeting.consentAsk === 'room') await this.ctx.chat.send(meeting.roomId, message);
        else await this.direct.tell(effect.userId, message);
      } else if (effect.type === 'ignored') {
        this.ctx.stores.audit.append({
          at: this.ctx.now(),
          actorId: input.sender,
          action: 'consent.redaction-ignored',
          meetingId,
          subjectId: entry.userId,
          details: { reason: effect.reason, redaction: input.eventId },
        });
      }
    }
  }
}
