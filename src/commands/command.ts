import type { CommandServices } from '../app/command-services.js';
import type { ChatPort, Clock } from '../app/ports.js';
import type { Catalogue, Language } from '../i18n/index.js';
import type { Rich } from '../i18n/rich.js';
import type { Logger } from '../log.js';

export interface ParsedArgs {
  /** Words that are neither options nor mentions, in order. */
  words: string[];
  /** Matrix user IDs named in the command (typed, or as pills). */
  mentions: string[];
  /** Words that look like mentions but are no Matrix user ID (`@alice`, `@alice:`): never a title word. */
  unresolved: string[];
  options: Record<string, string | boolean | string[] | undefined>;
}

export type ServiceName = keyof CommandServices;

/**
 * What one command may use: where it was said and by whom (with the caller's role), a way to reply,
 * the catalogue, the clock and the few settings commands read, and only the services it names.
 */
export interface CommandContext<S extends ServiceName = ServiceName> {
  roomId: string;
  sender: string;
  eventId: string;
  prefix: string;
  /** The caller's role: admins may act for others and use the admin commands. */
  role: 'admin' | 'member';
  t: Catalogue;
  clock: Clock;
  /** `showNames`: consent.showNames (who answered what may be named in the meeting's room). */
  /** `finalDeletion`: notice.finalDeletion, what "deleted" means on this BBB server. */
  settings: {
    language: Language;
    timezone: string;
    maxInvitees: number;
    showNames: boolean;
    finalDeletion: string;
  };
  /** A time and a date as people here read them (configured language and time zone). */
  dateTime(at: number): string;
  date(at: number): string;
  log: Logger;
  /** Answers in the room, as a reply to the command. */
  reply(message: Rich): Promise<void>;
  /** The chat port's size check: a reply that names many people is shortened to fit one event. */
  chat: Pick<ChatPort, 'fits'>;
  services: Pick<CommandServices, S>;
}

/**
 * One entry of the command table (the hookshot/Draupnir style): help, parsing and the permission
 * check all come from this declaration. Finer checks that need the meeting (organizer or admin)
 * happen inside `run`, through helpers in ./meeting-ref.ts.
 */
export interface CommandDefinition<S extends ServiceName = ServiceName> {
  name: string;
  /** Usage after the prefix, e.g. `meeting <title> [@user …] [--at "<time>"] [--no-record]`. */
  usage: string;
  permission: 'anyone' | 'admin';
  /**
   * A person's request about their own data (`!withdraw`, `!mydata`): carried out whatever its age,
   * also when the bot reads it long after it was sent. Every other command read late is only answered.
   */
  ownData?: true;
  options?: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;
  run(c: CommandContext<S>, args: ParsedArgs): Promise<void>;
}

/** A command that uses the services `S` (its unit test fakes only those). */
export function defineCommand<S extends ServiceName = never>(
  definition: CommandDefinition<S>,
): CommandDefinition<S> {
  return definition;
}

/** Catalogue entries a command error can show: a text, or a function of parameters that makes one. */
type MessageKey = {
  [K in keyof Catalogue]: Catalogue[K] extends string | Rich
    ? K
    : Catalogue[K] extends (...params: never[]) => string | Rich
      ? K
      : never;
}[keyof Catalogue];
type ParamsOf<K extends MessageKey> = Catalogue[K] extends (...params: infer P) => unknown ? P : [];

/** The text a person reads: a catalogue entry and its parameters, filled in by the catalogue in use. */
export interface PersonText<K extends MessageKey = MessageKey> {
  key: K;
  params: ParamsOf<K>;
}

export function textOf(t: Catalogue, text: PersonText): string | Rich {
  const entry = t[text.key] as string | Rich | ((...params: unknown[]) => string | Rich);
  return typeof entry === 'function' ? entry(...(text.params as unknown[])) : entry;
}

/**
 * The one error a command throws to stop and answer (as hookshot's CommandError keeps the log text
 * apart from the person's). `usage`: bad arguments, answered with the problem (if any) and the usage
 * line, never a stack trace. `refusal`: the person's text alone (no such meeting, not allowed, …).
 */
export class CommandError extends Error {
  private constructor(
    readonly kind: 'usage' | 'refusal',
    readonly text: PersonText | null,
  ) {
    // The log text names the entry only: its parameters may hold names and titles.
    super(text ? `${kind}: ${text.key}` : kind);
    this.name = 'CommandError';
  }

  static usage<K extends MessageKey>(key?: K, ...params: ParamsOf<K>): CommandError {
    return new CommandError('usage', key === undefined ? null : ({ key, params } as PersonText));
  }

  static refusal<K extends MessageKey>(key: K, ...params: ParamsOf<K>): CommandError {
    return new CommandError('refusal', { key, params } as PersonText);
  }
}
