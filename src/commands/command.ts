import type { BotApp } from '../app/bot-app.js';
import type { AppContext } from '../app/context.js';
import type { Rich } from '../i18n/rich.js';

export interface ParsedArgs {
  /** Words that are neither options nor mentions, in order. */
  words: string[];
  /** Matrix user IDs named in the command (typed, or as pills). */
  mentions: string[];
  /** Words that look like mentions but are no Matrix user ID (`@alice`, `@alice:`): never a title word. */
  unresolved: string[];
  options: Record<string, string | boolean | undefined>;
}

export interface CommandContext {
  app: BotApp;
  ctx: AppContext;
  roomId: string;
  sender: string;
  eventId: string;
  prefix: string;
  /** Answers in the room, as a reply to the command. */
  reply(message: Rich): Promise<void>;
}

/**
 * One entry of the command table (the hookshot/Draupnir style): help, parsing and the permission
 * check all come from this declaration. Finer checks that need the meeting (organizer or admin)
 * happen inside `run`, through helpers in ./meeting-ref.ts.
 */
export interface CommandDefinition {
  name: string;
  /** Usage after the prefix, e.g. `meeting <title> [@user …] [--at "<time>"] [--no-record]`. */
  usage: string;
  permission: 'anyone' | 'admin';
  /**
   * A person's request about their own data (`!withdraw`, `!mydata`): carried out whatever its age,
   * also when the bot reads it long after it was sent. Every other command read late is only answered.
   */
  ownData?: true;
  options?: Record<string, { type: 'string' | 'boolean' }>;
  run(c: CommandContext, args: ParsedArgs): Promise<void>;
}

/** Bad arguments: answered with the problem and the usage line, never a stack trace. */
export class UsageError extends Error {
  constructor(readonly problem: string | null = null) {
    super(problem ?? 'usage');
    this.name = 'UsageError';
  }
}

export function defineCommand(definition: CommandDefinition): CommandDefinition {
  return definition;
}
