import type { BotApp } from '../app/bot-app.js';
import type { Rich } from '../i18n/rich.js';
import type { CommandContext, CommandDefinition } from './command.js';
import { UsageError } from './command.js';
import { commandTable } from './index.js';
import { CommandRefusal } from './meeting-ref.js';
import { commandText, parseArguments, tokenize } from './parse.js';
import { usageForms } from './usage.js';

export interface IncomingMessage {
  roomId: string;
  sender: string;
  eventId: string;
  content: Record<string, unknown>;
}

/**
 * Longest command read; anything larger is not read at all (hostile input). A homeserver event holds
 * at most 64 KiB, and a meeting at the invitee cap names up to 100 IDs of up to 255 bytes each.
 */
const MAX_COMMAND_LENGTH = 65_536;

/** Routes chat messages to the command table; answers errors in words, never with a stack trace. */
export class CommandDispatcher {
  constructor(
    private readonly app: BotApp,
    private readonly table: readonly CommandDefinition[] = commandTable,
  ) {}

  /** Returns true if the message was one of our commands. */
  async handle(message: IncomingMessage): Promise<boolean> {
    const { ctx } = this.app;
    const prefix = ctx.config.matrix.commandPrefix;
    const text = commandText(message.content);
    if (!text.startsWith(prefix) || text.length > MAX_COMMAND_LENGTH) return false;
    const [name, ...tokens] = tokenize(text.slice(prefix.length));
    const definition = this.table.find((d) => d.name === name?.toLowerCase());
    if (!definition) return false; // another bot's command, perhaps: stay quiet
    if (!ctx.stores.state.claimEvent(message.eventId, ctx.now())) return true;

    const c: CommandContext = {
      app: this.app,
      ctx,
      roomId: message.roomId,
      sender: message.sender,
      eventId: message.eventId,
      prefix,
      reply: async (answer: Rich) => {
        await ctx.chat.send(message.roomId, answer, { replyTo: message.eventId, notice: true });
      },
    };
    const usage = usageForms(ctx.t, definition, prefix).join(' | ');
    try {
      if (definition.permission === 'admin' && !ctx.isAdmin(message.sender)) {
        await c.reply(ctx.t.notAllowed(ctx.t.whoAdmin));
        return true;
      }
      const args = parseArguments(definition, tokens);
      // `@alice` without a server part names nobody for sure: an error, never a title word.
      if (args.unresolved.length) {
        const server = message.sender.slice(message.sender.indexOf(':') + 1);
        throw new UsageError(ctx.t.unresolvedMentions(args.unresolved.join(', '), server));
      }
      await definition.run(c, args);
    } catch (error) {
      if (error instanceof UsageError) {
        const problem = error.problem?.startsWith('unknown-option:')
          ? ctx.t.unknownOption(error.problem.slice('unknown-option:'.length))
          : error.problem;
        await c.reply(problem ? ctx.t.argumentError(problem, usage) : ctx.t.usage(usage));
      } else if (error instanceof CommandRefusal) {
        await c.reply(error.reply);
      } else {
        ctx.log.error({ err: error, command: definition.name, roomId: message.roomId }, 'command failed');
        await c.reply(ctx.t.internalError).catch(() => undefined);
      }
    }
    return true;
  }
}
