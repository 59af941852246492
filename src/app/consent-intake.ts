import type { MeetingRow } from '../db/meetings-store.js';
import { type Answer, answerFromReactionKey } from '../domain/consent.js';
import type { Effect, LifecycleEvent } from '../domain/lifecycle.js';
import { mention } from '../i18n/rich.js';
import type { AppContext } from './context.js';
import type { DirectPrompts } from './direct-prompts.js';
import type { Applied, EventMeta, MeetingLifecycle, OutboxReport } from './lifecycle.js';
import { permalink } from './notice-posting.js';
import { successorOpen } from './opening.js';
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
 * Turns reactions on consent prompts, and their redactions, into raw lifecycle events (design.md
 * §3.2): `answer` and `answer-removed` (with who removed it). What they mean (an answer, a withdrawal,
 * a reset, nothing) the lifecycle decides, not this class. Only ✅/❌ by an invitee on a prompt of the
 * same room reach it: the meeting's prompt in its room (consent.ask "room"), or the person's own
 * prompt in their DM room ("direct"); every entry is keyed by the reaction's event ID, so replays and
 * start-up reconciliation never count twice.
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
    private readonly lifecycle: MeetingLifecycle,
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
      .withMeeting(found.id, async () => {
        await this.applyReaction(found.id, input, answer, source);
      })
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
  ): Promise<Effect[]> {
    if (this.ctx.stores.meetings.hasConsentEvent(input.eventId)) return [];
    // Given before the person was invited: it was no answer then and is none now (see lifecycle).
    if (this.ctx.stores.state.isNoAnswer(meetingId, input.eventId)) return [];
    // Read at start-up among other answers given while the bot was down: the meeting must not open
    // on the state in the middle of them (see Reconciler.readAnswers).
    const catchingUp = source === 'reconcile' ? { catchingUp: true } : {};
    return this.carryOut(
      meetingId,
      { type: 'answer', userId: input.sender, answer, ...catchingUp },
      {
        eventId: input.eventId,
        reactionEventId: input.eventId,
        reactionKey: input.key,
        actorId: input.sender,
        source,
      },
      answer === 'decline',
    );
  }

  onRedaction(input: RedactionInput, source: 'redaction' | 'reconcile' = 'redaction'): Promise<void> {
    const meetingId =
      this.queued.get(input.redacts) ?? this.ctx.stores.meetings.consentByReaction(input.redacts)?.meetingId;
    if (meetingId === undefined) return Promise.resolve();
    return this.ctx.withMeeting(meetingId, async () => {
      await this.applyRedaction(meetingId, input, source);
    });
  }

  /**
   * Caller holds the meeting lock. `sender`: who redacted the reaction, as the homeserver confirms;
   * null at start-up when it confirms no redaction.
   */
  async applyRedaction(
    meetingId: number,
    input: Omit<RedactionInput, 'sender'> & { sender: string | null },
    source: 'redaction' | 'reconcile',
  ): Promise<Effect[]> {
    const { meetings } = this.ctx.stores;
    const entry = meetings.consentByReaction(input.redacts);
    const meeting = meetings.get(meetingId);
    if (!entry || !meeting || entry.meetingId !== meetingId) return [];
    if (this.answerRoom(meeting, entry.userId) !== input.roomId) return [];
    if (entry.kind !== 'agree' && entry.kind !== 'decline') return [];
    const own = meetings.consentEvents(meetingId).filter((e) => e.userId === entry.userId);
    const actorId = input.sender ?? this.ctx.chat.botUserId;
    const effects = await this.carryOut(
      meetingId,
      {
        type: 'answer-removed',
        userId: entry.userId,
        answer: entry.kind,
        removedBy: input.sender,
        current: own.at(-1)?.id === entry.id,
      },
      { eventId: input.eventId, actorId, source },
      true,
    );
    for (const effect of effects) {
      if (effect.type !== 'ignored') continue;
      this.ctx.stores.audit.append({
        at: this.ctx.now(),
        actorId,
        action: 'consent.redaction-ignored',
        meetingId,
        subjectId: entry.userId,
        details: { reason: effect.reason, redaction: input.eventId },
      });
    }
    return effects;
  }

  /**
   * Applies one raw event through the lifecycle's door. Live: carried out at once. At start-up only
   * a withdrawal is carried out at once (its message says what was done); everything else once the
   * reconciler has read every answer. Returns the effects, for the reconciler.
   */
  private async carryOut(
    meetingId: number,
    event: LifecycleEvent,
    meta: EventMeta,
    /** The event may end a recorded session: BBB is asked first whether it still runs. */
    mayEndSession: boolean,
  ): Promise<Effect[]> {
    if (mayEndSession) await this.withdrawal.refresh(meetingId);
    let applied: Applied | null;
    let report: OutboxReport | null = null;
    if (meta.source === 'reconcile') {
      applied = this.lifecycle.record(meetingId, event, meta);
      if (applied?.effects.some((e) => e.type === 'record-consent' && e.kind === 'withdraw'))
        report = await this.outbox.runMeeting(meetingId);
    } else {
      const result = await this.lifecycle.step(meetingId, event, meta);
      applied = result?.applied ?? null;
      report = result?.report ?? null;
    }
    if (!applied) return [];
    await this.tell(applied, report, meta.eventId ?? `meeting-${meetingId}`);
    return applied.effects;
  }

  /** What the room hears about the effects of an answer or its removal. */
  private async tell(applied: Applied, report: OutboxReport | null, eventId: string): Promise<void> {
    const { meeting, effects } = applied;
    const withdrawal = report ? this.withdrawal.describe(applied, report, eventId) : null;
    if (withdrawal) {
      // Before opening the tally says it; after, the room hears what was ended and deleted.
      await this.withdrawal.tell(withdrawal, { quietBeforeOpening: true });
      return;
    }
    await this.tellRestart(meeting, effects, report);
    for (const effect of effects) {
      if (effect.type !== 'ask-again') continue;
      const view = readMeeting(this.ctx, meeting);
      const message = this.ctx.t.answerRemovedAskAgain(
        mention(effect.userId, nameOf(view, effect.userId)),
        meeting.title,
      );
      // Asked where they answer: in the room with room prompts, else privately.
      if (meeting.consentAsk === 'room') await this.ctx.chat.send(meeting.roomId, message);
      else await this.direct.tell(effect.userId, message);
    }
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
      confirmed
        ? t.lateDeclineRestarted(meeting.title, successorOpen(this.ctx, meeting.id))
        : t.lateDeclineEnding(meeting.title),
      { key: `late-decline:${ended.sessionId}` },
    );
  }
}
