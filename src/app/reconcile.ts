import pLimit from 'p-limit';
import { answerFromReactionKey } from '../domain/consent.js';
import { answerMayStillChange, type Effect } from '../domain/lifecycle.js';
import type { ConsentIntake } from './consent-intake.js';
import type { AppContext } from './context.js';
import type { DirectRooms } from './direct-rooms.js';
import type { MeetingLifecycle } from './lifecycle.js';
import type { Outbox } from './outbox.js';
import type { Planning } from './planning.js';
import type { ReactionSeen, ReactionsRead } from './ports.js';
import type { PromptUpdater } from './prompt-updater.js';

/** Reads of the homeserver in flight at once while reconciling (it serves the bot's sync as well). */
export const READS_IN_FLIGHT = 8;
/**
 * How far before a DM room's oldest prompt to be read its timeline is read back: a reaction from
 * another server carries that server's clock.
 */
const SCAN_MARGIN_MS = 24 * 60 * 60 * 1000;

type Limit = <T>(fn: () => Promise<T>) => Promise<T>;
interface PromptToRead {
  roomId: string;
  eventId: string;
  /** The person answering there (a private prompt); null for the room's prompt. */
  userId: string | null;
  postedAt: number;
}

/**
 * Start-up reconciliation (design.md §3.8). matrix-bot-sdk saves its sync token before handlers
 * run, so events can be missed in a crash; instead of trusting that, the bot re-reads the
 * reactions the homeserver holds for every open prompt (several meetings at a time; private prompts in
 * one pass over each person's DM room). Answers given while it was down count,
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
    // mayHoldRecording of every finished meeting, in one query.
    return [
      ...meetings.inStates(['collecting', 'open']).map((m) => m.id),
      ...meetings.finishedMayHoldRecording(),
    ];
  }

  /**
   * Reads every meeting's answers, lets `deliverDowntime` hand over the events sent while the bot was
   * down (in their order, each applied before it returns; told how many meetings wait for them), then
   * acts on every meeting.
   */
  async run(deliverDowntime: (meetings: number) => Promise<void> = async () => {}): Promise<void> {
    const ids = this.toReconcile();
    // The homeserver is read for several meetings at once, each still under its lock; the reads
    // of all meetings end before the downtime's events are handed over.
    const read = pLimit(READS_IN_FLIGHT);
    const started = performance.now();
    const scanned = await this.scanDirectRooms(ids, read);
    await this.eachMeeting(ids, READS_IN_FLIGHT, 'reading the answers', (id) =>
      this.readAnswers(id, read, scanned),
    );
    const readAt = performance.now();
    this.lifecycle.deferEffects();
    try {
      await deliverDowntime(ids.length);
    } catch (error) {
      this.ctx.log.error({ err: error }, 'handing over the events of the downtime failed');
    }
    const reconciled = new Set(ids);
    const touched = this.lifecycle.resumeEffects().filter((id) => !reconciled.has(id));
    const deliveredAt = performance.now();
    await this.eachMeeting([...ids, ...touched], 1, 'acting', (id) => this.act(id));
    // How long each step took: the start-up's events wait for all of them.
    const ms = (from: number, to: number) => Math.round(to - from);
    this.ctx.log.info(
      {
        meetings: ids.length,
        readMs: ms(started, readAt),
        downtimeMs: ms(readAt, deliveredAt),
        actMs: ms(deliveredAt, performance.now()),
      },
      'reconciled meetings',
    );
    const unknown = [...this.unknown].sort((a, b) => a - b);
    this.unknown = new Set();
    if (unknown.length) await this.tellAdminsUnreadable(unknown);
  }

  /**
   * Each meeting under its lock, at most `inFlight` at once, in order of their IDs; one failing meeting
   * does not stop the others.
   */
  private async eachMeeting(
    ids: number[],
    inFlight: number,
    step: string,
    fn: (id: number) => Promise<void>,
  ): Promise<void> {
    const limit = pLimit(inFlight);
    await Promise.all(
      ids.map((id) =>
        limit(async () => {
          try {
            await this.ctx.withMeeting(id, () => fn(id));
          } catch (error) {
            this.ctx.log.error({ err: error, meetingId: id, step }, 'reconciliation of a meeting failed');
          }
        }),
      ),
    );
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

  /**
   * The prompts of a meeting on which an answer can still change something (`answerMayStillChange`):
   * in a finished meeting, the ✅ of those who agreed (its removal, or a ❌, withdraws them). Null when
   * none; `readFor` says whose answers were read (a reaction is missing only from a prompt that was).
   */
  private promptsToRead(meetingId: number) {
    const { meetings } = this.ctx.stores;
    const meeting = meetings.get(meetingId);
    if (!meeting?.promptEventId || meeting.noRecord) return null;
    const model = meetings.model(meeting);
    const changeable = new Set(
      [...model.answers].filter(([, s]) => answerMayStillChange(model.state, s)).map(([userId]) => userId),
    );
    if (!changeable.size) return null;
    // The prompts people answer on: the one in the room, or each invitee's own in their DM room.
    const prompts: PromptToRead[] =
      meeting.consentAsk === 'room'
        ? [
            {
              roomId: meeting.roomId,
              eventId: meeting.promptEventId,
              userId: null,
              postedAt: meeting.createdAt,
            },
          ]
        : meetings.dmPrompts(meetingId).filter((p) => changeable.has(p.userId));
    const readFor = (userId: string) => meeting.consentAsk === 'room' || changeable.has(userId);
    return { meeting, prompts, readFor };
  }

  /**
   * The private prompts to read, in one pass per person's DM room (all their prompts of every meeting
   * there) instead of one read per prompt; by prompt. A room that cannot be read so is left to
   * `readAnswers`, which then reads its prompts one by one.
   */
  private async scanDirectRooms(ids: number[], read: Limit): Promise<Map<string, ReactionsRead>> {
    const rooms = new Map<string, { roomId: string; userId: string; eventIds: string[]; since: number }>();
    for (const id of ids) {
      for (const p of this.promptsToRead(id)?.prompts ?? []) {
        if (p.userId === null) continue;
        const key = `${p.roomId} ${p.userId}`;
        const room = rooms.get(key) ?? {
          roomId: p.roomId,
          userId: p.userId,
          eventIds: [],
          since: p.postedAt,
        };
        room.eventIds.push(p.eventId);
        room.since = Math.min(room.since, p.postedAt);
        rooms.set(key, room);
      }
    }
    const scanned = new Map<string, ReactionsRead>();
    await Promise.all(
      [...rooms.values()].map((room) =>
        read(async () => {
          try {
            const found = await this.ctx.chat.reactionsBy(
              room.roomId,
              room.userId,
              room.eventIds,
              room.since - SCAN_MARGIN_MS,
            );
            for (const [eventId, reactions] of found) scanned.set(eventId, reactions);
          } catch (error) {
            this.ctx.log.warn(
              { err: error, roomId: room.roomId },
              'could not read a DM room in one pass; reading its prompts one by one',
            );
          }
        }),
      ),
    );
    return scanned;
  }

  /**
   * Records what the homeserver holds for a meeting's prompts; runs under the meeting's lock. A
   * private prompt's reactions come from the DM room's pass (`scanned`) unless the answer the ledger
   * holds for it is not among them: then the prompt itself is read, as the room's prompt always is.
   */
  private async readAnswers(
    meetingId: number,
    read: Limit,
    scanned: ReadonlyMap<string, ReactionsRead>,
  ): Promise<void> {
    const { meetings } = this.ctx.stores;
    const toRead = this.promptsToRead(meetingId);
    if (!toRead) return;
    const { meeting, prompts, readFor } = toRead;
    const latest = new Map<string, ReturnType<typeof this.ctx.stores.meetings.consentEvents>[number]>();
    for (const e of meetings.consentEvents(meetingId)) if (readFor(e.userId)) latest.set(e.userId, e);
    const holds = (r: ReactionsRead, eventId: string | null | undefined) =>
      !eventId || r.reactions.some((x) => x.eventId === eventId) || r.unreadable.includes(eventId);
    const results = await Promise.all(
      prompts.map((prompt) => {
        const pass = prompt.userId === null ? undefined : scanned.get(prompt.eventId);
        if (pass && holds(pass, latest.get(prompt.userId!)?.reactionEventId)) return pass;
        return read(() => this.ctx.chat.reactionsTo(prompt.roomId, prompt.eventId));
      }),
    );
    const seen: (ReactionSeen & { roomId: string; relatesTo: string })[] = [];
    const unreadable: string[] = [];
    prompts.forEach((prompt, i) => {
      const result = results[i]!;
      for (const reaction of result.reactions) {
        // On a private prompt only its person answers.
        if (prompt.userId !== null && reaction.sender !== prompt.userId) continue;
        seen.push({ ...reaction, roomId: prompt.roomId, relatesTo: prompt.eventId });
      }
      unreadable.push(...result.unreadable);
    });
    seen.sort((a, b) => a.ts - b.ts);
    // Removed reactions first: a new answer must not open the meeting on a consent that is gone.
    const present = new Set([...seen.map((r) => r.eventId), ...unreadable]);
    const effects: Effect[] = [];
    for (const entry of latest.values()) {
      if (!entry.reactionEventId || present.has(entry.reactionEventId)) continue;
      const roomId = this.intake.answerRoom(meeting, entry.userId);
      if (!roomId) continue;
      // Who removed it, as the homeserver confirms (null: it confirms no redaction); the lifecycle
      // decides what that means.
      const redactor = await read(() => this.ctx.chat.redactedBy(roomId, entry.reactionEventId!));
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
    const resumed = [await this.planning.openIfDue(meetingId), await this.outbox.runMeeting(meetingId)];
    // What a resumed step achieved (an end, a deletion the room was told was pending) is told as by the tick.
    for (const report of resumed) if (report) await this.outbox.tellLateOutcome(meetingId, report);
  }
}
