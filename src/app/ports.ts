import type { BbbClient } from '../bbb/index.js';
import type { Rich } from '../i18n/rich.js';

// The two ports of design.md §5. The Matrix adapter and the BBB client implement them for real; the
// in-memory chat port and the BBB simulator stand in for them in integration tests.

export interface ReactionSeen {
  eventId: string;
  sender: string;
  key: string;
  ts: number;
}

/**
 * What the relations API returned for an event: the reactions the bot could read, and the event IDs
 * of those it could not (encrypted for a device whose keys it lost, or encryption switched off).
 * An unreadable reaction is unknown: it is neither present nor removed.
 */
export interface ReactionsRead {
  reactions: ReactionSeen[];
  unreadable: string[];
}

export interface SendOptions {
  replyTo?: string;
  notice?: boolean;
  /** Idempotency key, unique for what the message is (e.g. `link:<session>:<user>`). */
  key?: string;
}

/** A file the bot sends (the evidence report). */
export interface OutgoingFile {
  name: string;
  mimetype: string;
  data: Buffer;
}

/** A direct-message room that can reach the person, or why none can. */
export type DirectRoom = { kind: 'ready'; roomId: string } | { kind: 'undeliverable'; reason: string };

/** No direct message can reach this person (invite refused by their server, unknown account, …). */
export class UndeliverableError extends Error {
  constructor(
    readonly userId: string,
    readonly reason: string,
  ) {
    super(`no direct message can reach ${userId}: ${reason}`);
    this.name = 'UndeliverableError';
  }
}

export interface ChatPort {
  readonly botUserId: string;
  /**
   * Sends a message (HTML + plain, with `m.mentions`); returns its event ID. With `key`, sending the
   * same key again (e.g. after a crash between sending and storing) yields the same event, not a
   * second message: the homeserver deduplicates by transaction ID.
   */
  send(roomId: string, message: Rich, options?: SendOptions): Promise<string>;
  /** Whether a message fits in one event, both when sent and when it replaces an earlier one. */
  fits(message: Rich): boolean;
  /** Replaces the content of one of the bot's messages. */
  edit(roomId: string, eventId: string, message: Rich): Promise<void>;
  react(roomId: string, eventId: string, key: string): Promise<void>;
  /** Joined members other than the bot, with their display names (one request on Matrix). */
  joinedMembers(roomId: string): Promise<Map<string, string>>;
  displayName(roomId: string, userId: string): Promise<string>;
  /**
   * A direct-message room for this person: `known` if they are still joined or invited there (and
   * the bot still in it), else a new one they are invited to. Undeliverable if none can be made.
   */
  directRoom(userId: string, known: string | undefined): Promise<DirectRoom>;
  /** The reactions the homeserver holds for an event (relations API), oldest first. */
  reactionsTo(roomId: string, eventId: string): Promise<ReactionsRead>;
  /**
   * The reactions `sender` gave in `roomId` to any of `eventIds`, in one pass over the room's timeline
   * from its end back to `since` (server time), keyed by the event they react to (every one of
   * `eventIds` present). For many prompts in one person's DM room: one read instead of one per prompt.
   */
  reactionsBy(
    roomId: string,
    sender: string,
    eventIds: readonly string[],
    since: number,
  ): Promise<Map<string, ReactionsRead>>;
  /**
   * Who redacted this event (the homeserver keeps it with the redacted event); null when the
   * homeserver does not confirm a redaction (not redacted, or it cannot be asked).
   */
  redactedBy(roomId: string, eventId: string): Promise<string | null>;
  /** Uploads a file and sends it as an `m.file` message; returns its event ID. */
  sendFile(roomId: string, file: OutgoingFile): Promise<string>;
}

export type BbbPort = Pick<
  BbbClient,
  'create' | 'joinUrl' | 'end' | 'getMeetingInfo' | 'getRecordings' | 'deleteRecordings' | 'sendChatMessage'
>;

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
