import type { MeetingRow } from '../db/meetings-store.js';
import { type Answer, answerFromReactionKey } from '../domain/consent.js';
import type { Effect } from '../domain/lifecycle.js';
import { mention } from '../i18n/rich.js';
import type { AppContext } from './context.js';
import type { Outbox, OutboxReport } from './outbox.js';
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
 * Only ✅/❌ by an invitee on a prompt of the same room count; every entry is keyed by the reaction's
 * event ID, so replays and start-up reconciliation never count twice.
 *
 * Order: events of one meeting are applied in the order they arrived. Everything before taking the
 * meeting's lock is synchronous, so the lock's FIFO queue holds them in arrival order; a redaction
 * finds the meeting of a reaction that is still queued (not yet in the ledger) through `queued`, and
 * looks the ledger up only under the lock, after that reaction was applied.
 */
export class ConsentIntake {
  /** Reactions waiting for their meeting's lock: reaction event ID → meeting ID. */
  private readonly queued = new Map<string, number>();

  constructor(
    private readonly ctx: AppContext,
    private readonly outbox: Outbox,
    private readonly withdrawal: Withdrawal,
  ) {}

  onReaction(input: ReactionInput, source: 'reaction' | 'reconcile' = 'reaction'): Promise<void> {
    if (input.sender === this.ctx.chat.botUserId) return Promise.resolve();
    const answer = answerFromReactionKey(input.key);
    if (!answer) return Promise.resolve();
    const found = this.ctx.stores.meetings.byPrompt(input.relatesTo);
    // A relation pointing at a prompt in another room is forged or confused: it changes nothing.
    if (!found || found.roomId !== input.roomId || found.noRecord) return Promise.resolve();
    this.queued.set(input.eventId, found.id);
    return this.ctx
      .withMeeting(found.id, () => this.applyReaction(found.id, input, answer, source))
      .finally(() => this.queued.delete(input.eventId));
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
      const message = await this.withdrawal.withdraw(meeting, {
        userId: input.sender,
        actorId: input.sender,
        matrixEventId: input.eventId,
        source,
      });
      if (message) await this.ctx.chat.send(meeting.roomId, message);
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
      const applied = this.outbox.record(
        meetingId,
        { type: 'answer', userId: input.sender, answer, catchingUp: true },
        meta,
      );
      if (applied) await this.tellRestart(applied.meeting, applied.effects, null);
      return;
    }
    const result = await this.outbox.step(meetingId, { type: 'answer', userId: input.sender, answer }, meta);
    if (result) await this.tellRestart(result.applied.meeting, result.applied.effects, result.report);
  }

  /**
   * A late invitee's ❌ ended the recorded session and opened an unrecorded one: the room hears it
   * (without their name), and "ended" only once BBB confirmed it.
   */
  private async tellRestart(
    meeting: MeetingRow,
    effects: Effect[],
    report: OutboxReport | null,
  ): Promise<void> {
    const ended = effects.find((e) => e.type === 'end-session');
    if (ended?.type !== 'end-session' || !effects.some((e) => e.type === 'create-session')) return;
    const confirmed = report?.ended.some((s) => s.id === ended.sessionId) ?? false;
    const { t } = this.ctx;
    await this.ctx.chat.send(
      meeting.roomId,
      confirmed ? t.lateDeclineRestarted(meeting.title) : t.lateDeclineEnding(meeting.title),
      { key: `late-decline:${ended.sessionId}` },
    );
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
    if (!entry || !meeting || entry.meetingId !== meetingId || meeting.roomId !== input.roomId) return;
    if (entry.kind !== 'agree' && entry.kind !== 'decline') return;
    const own = meetings.consentEvents(meetingId).filter((e) => e.userId === entry.userId);
    if (own.at(-1)?.id !== entry.id) return; // an older answer: removing it changes nothing
    if (entry.kind === 'agree' && input.sender === entry.userId) {
      const message = await this.withdrawal.withdraw(meeting, {
        userId: entry.userId,
        actorId: input.sender,
        matrixEventId: input.eventId,
        source,
      });
      if (message && meeting.state !== 'collecting') await this.ctx.chat.send(meeting.roomId, message);
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
        await this.ctx.chat.send(
          meeting.roomId,
          this.ctx.t.answerRemovedAskAgain(
            mention(effect.userId, nameOf(view, effect.userId)),
            meeting.title,
          ),
        );
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
