import type { BotApp } from '../app/bot-app.js';
import { type CommandServices, commandServices } from '../app/command-services.js';
import { join, lines, type Rich } from '../i18n/rich.js';
import { type CommandContext, type CommandDefinition, CommandError, textOf } from './command.js';
import { commandTable } from './index.js';
import { commandText, parseArguments, tokenize } from './parse.js';
import { usageForms } from './usage.js';

export interface IncomingMessage {
  roomId: string;
  sender: string;
  eventId: string;
  content: Record<string, unknown>;
  /** When the homeserver received it (`origin_server_ts`); absent: just now. */
  sentAt?: number;
}

/** A request about one's own data answered this long after it was sent says when it was received. */
const RECEIVED_NOTE_AFTER_MS = 60_000;

/**
 * Longest command read; anything larger is not read at all (hostile input). A homeserver event holds
 * at most 64 KiB, and a meeting at the invitee cap names up to 100 IDs of up to 255 bytes each.
 */
const MAX_COMMAND_LENGTH = 65_536;

/** Routes chat messages to the command table; answers errors in words, never with a stack trace. */
export class CommandDispatcher {
  private readonly services: CommandServices;

  constructor(
    private readonly app: BotApp,
    private readonly table: readonly CommandDefinition[] = commandTable,
  ) {
    this.services = commandServices(app);
  }

  /** Returns true if the message was one of our commands. */
  async handle(message: IncomingMessage): Promise<boolean> {
    const { ctx } = this.app;
    const prefix = ctx.config.matrix.commandPrefix;
    const edited = isEdit(message.content);
    const text = commandText(edited ? newContent(message.content) : message.content);
    if (!text.startsWith(prefix) || text.length > MAX_COMMAND_LENGTH) return false;
    const [name, ...tokens] = tokenize(text.slice(prefix.length));
    const definition = this.table.find((d) => d.name === name?.toLowerCase());
    if (!definition) return false; // another bot's command, perhaps: stay quiet
    if (!ctx.stores.state.claimEvent(message.eventId, ctx.now())) return true;

    const answer = (reply: Rich) =>
      ctx.chat.send(message.roomId, reply, { replyTo: message.eventId, notice: true }).then(() => undefined);
    // An edit that reads as a command is not carried out (the original may have been, or not); the
    // person is told, so that silence is not taken for an answer.
    if (edited) {
      await answer(ctx.t.editsNotRead(`${prefix}${definition.name}`));
      return true;
    }
    const sentAt = message.sentAt ?? ctx.now();
    const age = ctx.now() - sentAt;
    const maxAge = ctx.config.matrix.commandMaxAgeMinutes * 60_000;
    if (!definition.ownData && age > maxAge) {
      await answer(ctx.t.receivedWhileOffline(`${prefix}${definition.name}`, ctx.dateTime(sentAt)));
      return true;
    }
    const late = definition.ownData && age > Math.min(RECEIVED_NOTE_AFTER_MS, maxAge);
    const c: CommandContext = {
      roomId: message.roomId,
      sender: message.sender,
      eventId: message.eventId,
      prefix,
      role: ctx.isAdmin(message.sender) ? 'admin' : 'member',
      t: ctx.t,
      clock: ctx.clock,
      settings: {
        language: ctx.language,
        timezone: ctx.config.timezone,
        maxInvitees: ctx.config.limits.maxInvitees,
        showNames: ctx.config.consent.showNames,
        finalDeletion: ctx.config.notice.finalDeletion ?? '',
      },
      dateTime: (at) => ctx.dateTime(at),
      date: (at) => ctx.date(at),
      log: ctx.log,
      reply: (reply: Rich) => answer(late ? lines([ctx.t.receivedAt(ctx.dateTime(sentAt)), reply]) : reply),
      chat: { fits: (answer) => ctx.chat.fits(answer) },
      services: this.services,
    };
    const usage = usageForms(ctx.t, definition, prefix).join(' | ');
    try {
      if (definition.permission === 'admin' && c.role !== 'admin') {
        await c.reply(ctx.t.notAllowed(ctx.t.whoAdmin));
        return true;
      }
      const args = parseArguments(definition, tokens);
      // `@alice` without a server part names nobody for sure: an error, never a title word.
      if (args.unresolved.length) {
        const server = message.sender.slice(message.sender.indexOf(':') + 1);
        throw CommandError.usage('unresolvedMentions', args.unresolved.join(', '), server);
      }
      await definition.run(c, args);
    } catch (error) {
      if (error instanceof CommandError && error.kind === 'usage') {
        const problem = error.text && textOf(ctx.t, error.text);
        const said = typeof problem === 'object' && problem ? problem.text : problem;
        await c.reply(said ? ctx.t.argumentError(said, usage) : ctx.t.usage(usage));
      } else if (error instanceof CommandError && error.text) {
        await c.reply(join([textOf(ctx.t, error.text)]));
      } else {
        ctx.log.error({ err: error, command: definition.name, roomId: message.roomId }, 'command failed');
        await c.reply(ctx.t.internalError).catch(() => undefined);
      }
    }
    return true;
  }
}

/** An edit (`m.replace`): its new text is in `m.new_content`. */
function isEdit(content: Record<string, unknown>): boolean {
  const relation = content['m.relates_to'] as { rel_type?: unknown } | undefined;
  return relation?.rel_type === 'm.replace';
}

function newContent(content: Record<string, unknown>): Record<string, unknown> {
  const inner = content['m.new_content'];
  return inner && typeof inner === 'object' ? (inner as Record<string, unknown>) : {};
}
