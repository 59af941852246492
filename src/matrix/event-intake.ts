import type { MatrixClient } from '@vector-im/matrix-bot-sdk';
import type { CommandDispatcher } from '../../commands/dispatch.js';
import type { BotApp } from '../app/bot-app.js';
import type { Logger } from '../log.js';
import type { MatrixChatPort } from './chat-port.js';
import { withRateLimitRetry } from './rate-limit.js';

/** Commands older than this when first seen are history (e.g. an initial sync), not requests. */
const MAX_COMMAND_AGE_MS = 10 * 60 * 1000;

/** Inviter allow-list entries are Matrix IDs or globs like `@*:example.org`. */
export function inviterAllowed(
  inviter: string,
  patterns: readonly string[],
  admins: readonly string[],
): boolean {
  if (admins.includes(inviter)) return true;
  return patterns.some((pattern) => {
    const regex = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    return regex.test(inviter);
  });
}

/**
 * How events arrive: the only place that reads raw Matrix events. It parses reactions and
 * redactions itself (matrix-bot-sdk has no class for them) and hands typed inputs to the app.
 */
export class MatrixEventIntake {
  constructor(
    private readonly client: MatrixClient,
    private readonly chat: MatrixChatPort,
    private readonly app: BotApp,
    private readonly dispatcher: CommandDispatcher,
    private readonly log: Logger,
  ) {}

  attach(): void {
    const { ctx } = this.app;
    const guard =
      <A extends unknown[]>(what: string, fn: (...args: A) => Promise<void>) =>
      (...args: A) => {
        fn(...args).catch((error: unknown) => this.log.error({ err: error, what }, 'event handler failed'));
      };

    this.client.on(
      'room.invite',
      guard('invite', async (roomId: string, event: { sender?: string }) => {
        const inviter = event.sender ?? '';
        if (!inviterAllowed(inviter, ctx.config.matrix.allowedInviters, ctx.config.admins)) {
          this.log.info({ roomId, inviter }, 'invite from a user not allowed to invite the bot; rejecting');
          await withRateLimitRetry(this.log, 'leave', () => this.client.leaveRoom(roomId));
          return;
        }
        await withRateLimitRetry(this.log, 'join', () => this.client.joinRoom(roomId));
        this.log.info({ roomId, inviter }, 'joined room');
      }),
    );

    this.client.on(
      'room.join',
      guard('join', async (roomId: string) => {
        if (await this.chat.isEncrypted(roomId)) await this.warnEncrypted(roomId);
      }),
    );

    this.client.on(
      'room.message',
      guard('message', async (roomId: string, event: RawEvent) => {
        if (event.sender === ctx.chat.botUserId || !event.content || event.redacted_because) return;
        if (
          typeof event.origin_server_ts === 'number' &&
          ctx.now() - event.origin_server_ts > MAX_COMMAND_AGE_MS
        )
          return;
        await this.dispatcher.handle({
          roomId,
          sender: event.sender,
          eventId: event.event_id,
          content: event.content,
        });
      }),
    );

    this.client.on(
      'room.event',
      guard('event', async (roomId: string, event: RawEvent) => {
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
            await this.warnEncrypted(roomId);
            return;
        }
      }),
    );
  }

  /** Said once per room: the bot cannot see consent there, and must not pretend it can. */
  private async warnEncrypted(roomId: string): Promise<void> {
    const { ctx } = this.app;
    if (!ctx.stores.state.noteOnce(roomId, 'encrypted', ctx.now())) return;
    this.log.warn({ roomId }, 'room is encrypted; the bot cannot read it');
    await ctx.chat.send(roomId, ctx.t.encryptedRoom, { notice: true });
  }
}

interface Relation {
  rel_type?: string;
  event_id?: string;
  key?: string;
}

interface RawEvent {
  type: string;
  sender: string;
  event_id: string;
  origin_server_ts?: number;
  redacts?: string;
  redacted_because?: unknown;
  content?: Record<string, unknown>;
}
