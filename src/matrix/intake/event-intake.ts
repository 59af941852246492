import { EncryptedRoomEvent, type MatrixClient } from '@vector-im/matrix-bot-sdk';
import type { BotApp } from '../../app/bot-app.js';
import type { CommandDispatcher } from '../../commands/dispatch.js';
import { matchesAny } from '../../domain/user-patterns.js';
import { mention } from '../../i18n/rich.js';
import type { Logger } from '../../log.js';
import type { MatrixChatPort } from '../chat/chat-port.js';
import { withRateLimitRetry } from '../chat/rate-limit.js';
import { BotMatrixClient } from '../sdk/client.js';
import { skippedEvents } from './catch-up.js';
import { DecryptionRetry } from './decryption-retry.js';

/**
 * Messages sent this long before the newest event the bot had seen when it stopped are history it
 * already read (or older than the bot), not news: room history in a sync after a lost sync token,
 * or in a room the bot joins. The slack covers a crash before handling and servers' clock skew.
 */
const HISTORY_SLACK_MS = 5 * 60_000;
/** Where the newest event seen is kept (homeserver time, `origin_server_ts`). */
const SEEN_UNTIL_KEY = 'intake.seen-until';

/** Inviter allow-list entries are Matrix IDs or globs like `@*:example.org`. */
export function inviterAllowed(
  inviter: string,
  patterns: readonly string[],
  admins: readonly string[],
): boolean {
  return admins.includes(inviter) || matchesAny(inviter, patterns);
}

/**
 * How events arrive: the only place that reads raw Matrix events. It parses reactions and
 * redactions itself (matrix-bot-sdk has no class for them) and hands typed inputs to the app.
 */
export class MatrixEventIntake {
  private retry: DecryptionRetry | null = null;
  /** The newest event seen before this start; on the first start ever, the start itself. */
  private resumeFrom = 0;
  private seenUntil = 0;
  /** Start-up: messages and events wait here, in arrival order, until {@link releaseEvents}. */
  private waiting: (() => Promise<void>)[] | null = null;
  /** Events being handled now (see {@link settle}). */
  private readonly handling = new Set<Promise<void>>();

  constructor(
    private readonly client: MatrixClient,
    private readonly chat: MatrixChatPort,
    private readonly app: BotApp,
    private readonly dispatcher: CommandDispatcher,
    private readonly log: Logger,
    /** The client decrypts: encrypted rooms work like plain ones. Off: they get a notice once. */
    private readonly encryption = false,
    /** Waits between decryption retries (tests shorten them). */
    private readonly retryDelaysMs?: readonly number[],
  ) {}

  attach(): void {
    const { ctx } = this.app;
    const stored = Number(ctx.stores.state.read(SEEN_UNTIL_KEY));
    // A first start has seen nothing yet: what was sent before it is history, what arrives is news.
    this.resumeFrom = Number.isFinite(stored) && stored > 0 ? stored : ctx.now();
    this.noteSeen(this.resumeFrom);
    if (this.client instanceof BotMatrixClient)
      this.client.catchUp = (roomId, from) => this.catchUp(roomId, from);
    const guard =
      <A extends unknown[]>(what: string, fn: (...args: A) => Promise<void>) =>
      (...args: A) => {
        const handling = fn(...args).catch((error: unknown) =>
          this.log.error({ err: error, what }, 'event handler failed'),
        );
        this.handling.add(handling);
        void handling.finally(() => this.handling.delete(handling));
      };

    this.client.on(
      'room.invite',
      guard('invite', async (roomId: string, event: { sender?: string }) => {
        const inviter = event.sender ?? '';
        if (!inviterAllowed(inviter, ctx.config.matrix.allowedInviters, ctx.config.admins)) {
          this.log.info({ roomId, inviter }, 'invite from a user not allowed to invite the bot; rejecting');
          // Joins and leaves are safe to repeat (a second one changes nothing): the invite comes only once.
          await withRateLimitRetry(this.log, 'leave', () => this.client.leaveRoom(roomId), {
            repeatable: true,
          });
          return;
        }
        await withRateLimitRetry(this.log, 'join', () => this.client.joinRoom(roomId), { repeatable: true });
        this.log.info({ roomId, inviter }, 'joined room');
      }),
    );

    this.client.on(
      'room.join',
      guard('join', async (roomId: string) => {
        if (!this.encryption && (await this.chat.isEncrypted(roomId))) await this.warnEncrypted(roomId);
      }),
    );

    // The SDK hands over decrypted events under their real type; these two see both kinds alike.
    this.client.on(
      'room.message',
      guard('message', (roomId: string, event: RawEvent) =>
        this.inOrder(() => this.onMessage(roomId, event)),
      ),
    );
    this.client.on(
      'room.event',
      guard('event', (roomId: string, event: RawEvent) => this.inOrder(() => this.onEvent(roomId, event))),
    );

    if (this.encryption) {
      const retry = new DecryptionRetry({
        decrypt: async (roomId, raw) =>
          (await this.client.crypto.decryptRoomEvent(new EncryptedRoomEvent(raw), roomId)).raw,
        onDecrypted: (roomId, event) =>
          this.inOrder(async () => {
            this.log.info({ roomId, eventId: event.event_id }, 'decrypted an event on retry');
            if (event.type === 'm.room.message') await this.onMessage(roomId, event);
            await this.onEvent(roomId, event);
          }),
        onGaveUp: (roomId, event, reason) => this.undecryptable(roomId, event, reason),
        delaysMs: this.retryDelaysMs,
      });
      this.retry = retry;
      this.client.on('room.failed_decryption', (roomId: string, event: RawEvent, error: unknown) => {
        this.log.debug(
          { roomId, eventId: event?.event_id },
          'decryption failed; retrying when the key arrives',
        );
        retry.add(roomId, event, error);
      });
      this.client.on('to_device.decrypted', (message: RawEvent) => {
        if (message?.type !== 'm.room_key' && message?.type !== 'm.forwarded_room_key') return;
        retry.keyArrived(message.content?.room_id, message.content?.session_id);
      });
    }
  }

  detach(): void {
    this.retry?.stop();
  }

  /**
   * Stopping: waits (at most `maxWaitMs`) for the events being handled. A command is claimed by its
   * event ID before it runs and the sync does not deliver it again, so one cut off by the database
   * closing would be lost.
   */
  async settle(maxWaitMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), maxWaitMs);
    });
    while (this.handling.size) {
      const outcome = await Promise.race([Promise.all(this.handling), late]);
      if (outcome === 'late') {
        this.log.warn({ events: this.handling.size }, 'stopping while events are still being handled');
        break;
      }
    }
    clearTimeout(timer);
  }

  /**
   * Start-up: messages and events wait, in arrival order, while the reconciliation reads the answers
   * the homeserver holds (bot.ts). Call before the sync starts.
   */
  holdEvents(): void {
    this.waiting ??= [];
  }

  /**
   * Waits (at most `maxWaitMs`) until the sync has handed over what was sent while the bot was down
   * (with what a `limited` timeline skipped). Then handles the waiting events
   * one after another, each finished before the next, and lets new ones through again.
   */
  async releaseEvents(maxWaitMs: number): Promise<void> {
    if (maxWaitMs > 0 && this.client instanceof BotMatrixClient) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), maxWaitMs);
      });
      const outcome = await Promise.race([this.client.caughtUp, late]);
      clearTimeout(timer);
      if (outcome === 'late')
        this.log.warn(
          { waitedMs: maxWaitMs },
          'catching up with the homeserver is late; going on with what has arrived',
        );
    }
    const waiting = this.waiting ?? [];
    let handled = 0;
    while (waiting.length) {
      await waiting.shift()!();
      handled++;
    }
    this.waiting = null;
    this.log.info({ events: handled }, 'handled the events that arrived during start-up');
  }

  /** Handles an event now, or queues it while start-up holds events. */
  private inOrder(handle: () => Promise<void>): Promise<void> {
    if (!this.waiting) return handle();
    this.waiting.push(() =>
      handle().catch((error: unknown) => this.log.error({ err: error }, 'event handler failed')),
    );
    return Promise.resolve();
  }

  /**
   * What a `limited` sync skipped in a room since the bot stopped. Asked three times; if the homeserver cannot answer, the sync goes on without it, logged.
   */
  private async catchUp(roomId: string, prevBatch: string): Promise<RawEvent[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        // A read: over a rate limit or a brief outage it is tried again like the bot's other calls.
        const reader: Pick<MatrixClient, 'doRequest'> = {
          doRequest: (...args: Parameters<MatrixClient['doRequest']>) =>
            withRateLimitRetry(this.log, 'messages', () => this.client.doRequest(...args), {
              repeatable: true,
            }),
        };
        const events = await skippedEvents(reader, roomId, prevBatch, this.resumeFrom - HISTORY_SLACK_MS);
        this.log.info({ roomId, events: events.length }, 'read the events a limited sync skipped');
        return events;
      } catch (error) {
        if (attempt >= 3) {
          this.log.error({ err: error, roomId }, 'could not read the events a limited sync skipped');
          return [];
        }
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  /** Keeps the newest homeserver time seen, so that the next start knows where this one stopped. */
  private noteSeen(ts: unknown): void {
    if (typeof ts !== 'number' || ts <= this.seenUntil + 1000) return;
    this.seenUntil = ts;
    this.app.ctx.stores.state.write(SEEN_UNTIL_KEY, String(ts));
  }

  /**
   * Old messages are history, except those sent since the bot stopped: every message it has not
   * handled yet is read, whatever its age (the dispatcher decides what an old command gets).
   */
  private isHistory(ts: unknown): boolean {
    return typeof ts === 'number' && ts < this.resumeFrom - HISTORY_SLACK_MS;
  }

  private async onMessage(roomId: string, event: RawEvent): Promise<void> {
    const { ctx } = this.app;
    if (event.sender === ctx.chat.botUserId || !event.content || event.redacted_because) return;
    if (this.isHistory(event.origin_server_ts)) return;
    await this.dispatcher.handle({
      roomId,
      sender: event.sender,
      eventId: event.event_id,
      content: event.content,
      ...(typeof event.origin_server_ts === 'number' ? { sentAt: event.origin_server_ts } : {}),
    });
  }

  private async onEvent(roomId: string, event: RawEvent): Promise<void> {
    this.noteSeen(event.origin_server_ts);
    switch (event.type) {
      case 'm.reaction': {
        const relation = event.content?.['m.relates_to'] as Relation | undefined;
        if (relation?.rel_type !== 'm.annotation' || typeof relation.event_id !== 'string') return;
        if (typeof relation.key !== 'string') return;
        await this.app.intake.onReaction({
          roomId,
          sender: event.sender,
          eventId: event.event_id,
          relatesTo: relation.event_id,
          key: relation.key,
        });
        return;
      }
      case 'm.room.redaction': {
        // Room versions up to 10 put `redacts` at the top level, 11+ inside content.
        const redacts = event.redacts ?? (event.content?.redacts as string | undefined);
        if (typeof redacts !== 'string') return;
        await this.app.intake.onRedaction({
          roomId,
          sender: event.sender,
          eventId: event.event_id,
          redacts,
        });
        return;
      }
      case 'm.room.encryption':
      case 'm.room.encrypted':
        // With encryption on, an m.room.encrypted event here is one that failed: the retry has it.
        if (!this.encryption) await this.warnEncrypted(roomId);
        return;
    }
  }

  /**
   * An event that stayed unreadable: logged with the reason; when it was meant for the bot (a reply
   * or reaction to one of its messages, or a room with nobody else), its sender is asked to re-send.
   */
  private async undecryptable(roomId: string, event: RawEvent, reason: string): Promise<void> {
    const { ctx } = this.app;
    this.log.warn(
      { roomId, eventId: event.event_id, sender: event.sender, reason },
      'event stays undecryptable',
    );
    if (event.sender === ctx.chat.botUserId || !(await this.addressedToBot(roomId, event))) return;
    const name = await this.chat.displayName(roomId, event.sender);
    await this.chat.send(roomId, ctx.t.undecryptable(mention(event.sender, name)), {
      replyTo: event.event_id,
    });
  }

  private async addressedToBot(roomId: string, event: RawEvent): Promise<boolean> {
    const relation = event.content?.['m.relates_to'];
    const target = relation?.event_id ?? relation?.['m.in_reply_to']?.event_id;
    try {
      if (typeof target === 'string') {
        const related = await this.client.getRawEvent(roomId, target);
        return related?.sender === this.chat.botUserId;
      }
      const others = await this.chat.joinedMembers(roomId);
      return others.size === 1 && others.has(event.sender);
    } catch {
      return false;
    }
  }

  /** Said once per room: the bot cannot see consent there, and must not pretend it can. */
  private async warnEncrypted(roomId: string): Promise<void> {
    const { ctx } = this.app;
    if (!ctx.stores.state.noteOnce(roomId, 'encrypted', ctx.now())) return;
    this.log.warn({ roomId }, 'room is encrypted and encryption is off; the bot cannot read it');
    await ctx.chat.send(roomId, ctx.t.encryptedRoom, { notice: true });
  }
}

interface Relation {
  rel_type?: string;
  event_id?: string;
  key?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: raw Matrix events are untyped JSON, checked field by field
type RawEvent = any;
