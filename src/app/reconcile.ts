import { answerFromReactionKey } from '../domain/consent.js';
import type { Effect } from '../domain/lifecycle.js';
import type { ConsentIntake } from './consent-intake.js';
import type { AppContext } from './context.js';
import type { DirectRooms } from './direct-rooms.js';
import type { MeetingLifecycle } from './lifecycle.js';
import type { Outbox } from './outbox.js';
import type { Planning } from './planning.js';
import type { ReactionSeen } from './ports.js';
import type { PromptUpdater } from './prompt-updater.js';
import { mayHoldRecording } from './withdrawal.js';

/**
 * Start-up reconciliation (design.md §3.8). matrix-bot-sdk saves its sync token before handlers
 * run, so events can be missed in a crash; instead of trusting that, the bot re-reads the
 * reactions the homeserver holds for every open prompt. Answers given while it was down count,
 * ✅s whose removal the homeserver confirms count as removals (by the person: a withdrawal), and
 * unfinished steps are resumed. A reaction the bot cannot read (keys lost, encryption switched off)
 * is unknown: it changes nothing, and the admins are told once which meetings hold such answers.
 *
 * Order matters (design.md §3.8): the answers read here came first, then the events the homeserver
 * delivers for the downtime (a `!withdraw` sent after a ✅), and only then does the bot act on the
 * result: open a meeting everyone agreed to, send links, resume unfinished steps. Acting before the
 * downtime's events would hand out a link to someone who had withdrawn meanwhile.
 */
export class Reconciler {
  /** Meetings of this run holding answers the bot could not read. */
  private unknown = new Set<number>();

  constructor(
    private readonly ctx: AppContext,
    private readonly planning: Planning,
    private readonly intake: ConsentIntake,
    private readonly outbox: Outbox,
    private readonly prompts: PromptUpdater,
    private readonly directRooms: DirectRooms,
    private readonly lifecycle: MeetingLifecycle,
  ) {}

  /**
   * The meetings to reconcile: the active ones, and closed or cancelled ones whose recorded session
   * may still have a recording (a ✅ removed while the bot was down withdraws there too, and deletes it).
   */
  private toReconcile(): number[] {
    const { meetings } = this.ctx.stores;
    const over = meetings
      .inStates(['closed', 'cancelled'])
      .filter((m) => m.promptEventId !== null && !m.noRecord && mayHoldRecording(this.ctx.stores, m.id));
    return [...meetings.inStates(['collecting', 'open']), ...over].map((m) => m.id);
  }

  /**
   * Reads every meeting's answers, lets `deliverDowntime` hand over the events sent while the bot was
   * down (in their order, each applied before it returns; told how many meetings wait for them), then
   * acts on every meeting.
   */
  async run(deliverDowntime: (meetings: number) => Promise<void> = async () => {}): Promise<void> {
    const ids = this.toReconcile();
    await this.eachMeeting(ids, 'reading the answers', (id) => this.readAnswers(id));
    try {
      await deliverDowntime(ids.length);
    } catch (error) {
      this.ctx.log.error({ err: error }, 'handing over the events of the downtime failed');
    }
    await this.eachMeeting(ids, 'acting', (id) => this.act(id));
    this.ctx.log.info({ meetings: ids.length }, 'reconciled meetings');
    const unknown = [...this.unknown].sort((a, b) => a - b);
    this.unknown = new Set();
    if (unknown.length) await this.tellAdminsUnreadable(unknown);
  }

  /** One meeting after another, each under its lock; one failing meeting does not stop the others. */
  private async eachMeeting(ids: number[], step: string, fn: (id: number) => Promise<void>): Promise<void> {
    for (const id of ids) {
      try {
        await this.ctx.withMeeting(id, () => fn(id));
      } catch (error) {
        this.ctx.log.error({ err: error, meetingId: id, step }, 'reconciliation of a meeting failed');
      }
    }
  }

  /** Once per set of meetings: a restart in the same condition does not say it again. */
  private async tellAdminsUnreadable(meetingIds: number[]): Promise<void> {
    const { ctx } = this;
    this.ctx.log.warn({ meetings: meetingIds }, 'meetings hold answers the bot cannot read; nothing changed');
    if (!ctx.stores.state.noteOnce('unreadable-answers', meetingIds.join(','), ctx.now())) return;
    const refs = meetingIds.flatMap((id) => {
      const m = ctx.stores.meetings.get(id);
      return m ? [ctx.t.meetingRef(m.id, m.title)] : [];
    });
    for (const admin of ctx.config.admins) {
      try {
        await ctx.chat.send(await this.directRooms.get(admin), ctx.t.unreadableAnswers(refs), {
          notice: true,
        });
      } catch (error) {
        ctx.log.error({ err: error, admin }, 'could not tell an admin about unreadable answers');
      }
    }
  }

  /** Records what the homeserver holds for a meeting's prompts; runs under the meeting's lock. */
  private async readAnswers(meetingId: number): Promise<void> {
    const meeting = this.ctx.stores.meetings.get(meetingId)!;
    if (!meeting.promptEventId || meeting.noRecord) return;
    // The prompts people answer on: the one in the room, or each invitee's own in their DM room.
    const prompts =
      meeting.consentAsk === 'room'
        ? [{ roomId: meeting.roomId, eventId: meeting.promptEventId, userId: null as string | null }]
        : this.ctx.stores.meetings.dmPrompts(meetingId);
    const seen: (ReactionSeen & { roomId: string; relatesTo: string })[] = [];
    const unreadable: string[] = [];
    for (const prompt of prompts) {
      const read = await this.ctx.chat.reactionsTo(prompt.roomId, prompt.eventId);
      for (const reaction of read.reactions) {
        // On a private prompt only its person answers.
        if (prompt.userId !== null && reaction.sender !== prompt.userId) continue;
        seen.push({ ...reaction, roomId: prompt.roomId, relatesTo: prompt.eventId });
      }
      unreadable.push(...read.unreadable);
    }
    seen.sort((a, b) => a.ts - b.ts);
    // Removed reactions first: a new answer must not open the meeting on a consent that is gone.
    const present = new Set([...seen.map((r) => r.eventId), ...unreadable]);
    const latest = new Map<string, ReturnType<typeof this.ctx.stores.meetings.consentEvents>[number]>();
    for (const e of this.ctx.stores.meetings.consentEvents(meetingId)) latest.set(e.userId, e);
    const effects: Effect[] = [];
    for (const entry of latest.values()) {
      if (!entry.reactionEventId || present.has(entry.reactionEventId)) continue;
      const roomId = this.intake.answerRoom(meeting, entry.userId);
      if (!roomId) continue;
      // Who removed it, as the homeserver confirms (null: it confirms no redaction); the lifecycle
      // decides what that means.
      const redactor = await this.ctx.chat.redactedBy(roomId, entry.reactionEventId);
      effects.push(
        ...(await this.intake.applyRedaction(
          meetingId,
          {
            roomId,
            sender: redactor,
            eventId: `reconcile:${entry.reactionEventId}`,
            redacts: entry.reactionEventId,
          },
          'reconcile',
        )),
      );
    }
    if (unreadable.length) {
      const applied = this.lifecycle.record(
        meetingId,
        { type: 'unreadable', count: unreadable.length },
        { eventId: null, actorId: this.ctx.chat.botUserId, source: 'reconcile' },
      );
      effects.push(...(applied?.effects ?? []));
    }
    if (
      effects.some(
        (e) => e.type === 'ignored' && (e.reason === 'unreadable' || e.reason === 'removal-unconfirmed'),
      )
    )
      this.unknown.add(meetingId);
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

  /** On the state after every answer and the downtime's events: open (if everyone answered) and act. */
  private async act(meetingId: number): Promise<void> {
    if (!this.ctx.stores.meetings.get(meetingId)?.promptEventId) {
      await this.planning.postPrompt(meetingId);
      return;
    }
    this.prompts.request(meetingId);
    await this.planning.openIfDue(meetingId);
    await this.outbox.runMeeting(meetingId);
  }
}
