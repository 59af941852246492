import type {
  ChatPort,
  DirectRoom,
  OutgoingFile,
  ReactionSeen,
  ReactionsRead,
  SendOptions,
} from '../../src/app/ports.js';
import type { Rich } from '../../src/i18n/rich.js';
import {
  editContent,
  eventBytes,
  fitsInEvent,
  MAX_EVENT_BYTES,
  messageContent,
} from '../../src/matrix/chat/content.js';

/**
 * An in-memory chat port for integration tests: rooms, members, messages, edits and reactions held
 * in arrays, so tests can drive the real application code and read what people would see.
 */
export interface SentMessage {
  eventId: string;
  roomId: string;
  text: string;
  html: string;
  mentions: readonly string[];
  replyTo?: string;
  notice: boolean;
  /** Latest content after edits. */
  edits: Rich[];
}

export class MemoryChat implements ChatPort {
  readonly fits = fitsInEvent;
  readonly messages: SentMessage[] = [];
  readonly reactions: (ReactionSeen & { roomId: string; relatesTo: string })[] = [];
  readonly members = new Map<string, Set<string>>();
  readonly names = new Map<string, string>();
  readonly directRooms: { roomId: string; userId: string }[] = [];
  /** Files sent (m.file), with their content. */
  readonly files: (OutgoingFile & { eventId: string; roomId: string })[] = [];
  /** Users for whom creating a DM fails (e.g. a deactivated account). */
  readonly unreachable = new Set<string>();
  /** Reactions the bot cannot decrypt (e.g. after losing its key store): listed, not readable. */
  readonly unreadable = new Set<string>();
  /** Redacted event ID → who redacted it. */
  readonly redactions = new Map<string, string>();
  /** Byte size of every event accepted (PDU as the homeserver measures it), in order. */
  readonly eventSizes: number[] = [];
  /** How many events were refused as too large. */
  refusedTooLarge = 0;
  private seq = 0;
  private readonly sentKeys = new Map<string, string>();

  constructor(readonly botUserId = '@meetbot:test') {}

  room(roomId: string, members: string[]): void {
    this.members.set(roomId, new Set(members));
  }

  nextEventId(): string {
    this.seq += 1;
    return `$ev${this.seq}`;
  }

  async send(roomId: string, message: Rich, options: SendOptions = {}): Promise<string> {
    // Like the homeserver's transaction cache: the same key in the same room is the same event.
    const keyed = options.key ? this.sentKeys.get(`${roomId}\n${options.key}`) : undefined;
    if (keyed) return keyed;
    this.checkSize(roomId, messageContent(message, options));
    const eventId = this.nextEventId();
    if (options.key) this.sentKeys.set(`${roomId}\n${options.key}`, eventId);
    this.messages.push({
      eventId,
      roomId,
      text: message.text,
      html: message.html,
      mentions: message.mentions,
      replyTo: options.replyTo,
      notice: options.notice ?? false,
      edits: [],
    });
    return eventId;
  }

  async edit(roomId: string, eventId: string, message: Rich): Promise<void> {
    const original = this.messages.find((m) => m.eventId === eventId && m.roomId === roomId);
    if (!original) throw new Error(`edit of unknown event ${eventId}`);
    this.checkSize(roomId, editContent(eventId, message));
    original.edits.push(message);
  }

  async react(roomId: string, eventId: string, key: string): Promise<void> {
    this.addReaction(roomId, this.botUserId, eventId, key);
  }

  async joinedMembers(roomId: string): Promise<Map<string, string>> {
    const ids = [...(this.members.get(roomId) ?? [])].filter((id) => id !== this.botUserId);
    return new Map(
      await Promise.all(ids.map(async (id) => [id, await this.displayName(roomId, id)] as const)),
    );
  }

  async displayName(_roomId: string, userId: string): Promise<string> {
    return this.names.get(userId) ?? userId.slice(1).split(':')[0]!;
  }

  async directRoom(userId: string, known: string | undefined): Promise<DirectRoom> {
    const members = known ? this.members.get(known) : undefined;
    if (known && members?.has(userId) && members.has(this.botUserId)) return { kind: 'ready', roomId: known };
    if (known) members?.delete(this.botUserId);
    if (this.unreachable.has(userId)) return { kind: 'undeliverable', reason: 'M_FORBIDDEN' };
    const roomId = `!dm-${this.directRooms.length + 1}:test`;
    this.directRooms.push({ roomId, userId });
    this.room(roomId, [this.botUserId, userId]);
    return { kind: 'ready', roomId };
  }

  /** The person leaves a room (or rejects its invite): they no longer see what is sent there. */
  leave(roomId: string, userId: string): void {
    this.members.get(roomId)?.delete(userId);
  }

  async reactionsBy(
    roomId: string,
    sender: string,
    eventIds: readonly string[],
    since: number,
  ): Promise<Map<string, ReactionsRead>> {
    const by = this.reactions.filter((r) => r.roomId === roomId && r.sender === sender && r.ts >= since);
    return new Map(eventIds.map((id) => [id, this.read(by.filter((r) => r.relatesTo === id))]));
  }

  async reactionsTo(roomId: string, eventId: string): Promise<ReactionsRead> {
    return this.read(this.reactions.filter((r) => r.roomId === roomId && r.relatesTo === eventId));
  }

  /** Reactions as the bot reads them: those it cannot decrypt by event ID only. */
  private read(held: readonly ReactionSeen[]): ReactionsRead {
    const read: ReactionsRead = { reactions: [], unreadable: [] };
    for (const { eventId, sender, key, ts } of held) {
      if (this.unreadable.has(eventId)) read.unreadable.push(eventId);
      else read.reactions.push({ eventId, sender, key, ts });
    }
    return read;
  }

  async sendFile(roomId: string, file: OutgoingFile): Promise<string> {
    const eventId = this.nextEventId();
    this.files.push({ ...file, eventId, roomId });
    return eventId;
  }

  /** Records a user's reaction as the homeserver would hold it; returns its event ID. */
  addReaction(roomId: string, sender: string, relatesTo: string, key: string): string {
    const eventId = this.nextEventId();
    this.reactions.push({ roomId, relatesTo, eventId, sender, key, ts: Date.now() });
    return eventId;
  }

  /** Redacts a reaction as `by` (default: its sender), as the homeserver would record it. */
  removeReaction(eventId: string, by?: string): void {
    const index = this.reactions.findIndex((r) => r.eventId === eventId);
    if (index >= 0) {
      const [removed] = this.reactions.splice(index, 1);
      this.redactions.set(eventId, by ?? removed!.sender);
    }
  }

  async redactedBy(_roomId: string, eventId: string): Promise<string | null> {
    return this.redactions.get(eventId) ?? null;
  }

  /** Like Synapse: an event over 64 KiB is refused (413 M_TOO_LARGE), and nothing is sent. */
  private checkSize(roomId: string, content: Record<string, unknown>): void {
    const bytes = eventBytes(content, { roomId, sender: this.botUserId });
    if (bytes > MAX_EVENT_BYTES) {
      this.refusedTooLarge++;
      throw Object.assign(new Error(`M_TOO_LARGE: event is ${bytes} bytes, more than ${MAX_EVENT_BYTES}`), {
        statusCode: 413,
        errcode: 'M_TOO_LARGE',
      });
    }
    this.eventSizes.push(bytes);
  }

  /** Current text of a message (last edit wins). */
  current(eventId: string): string {
    const m = this.messages.find((x) => x.eventId === eventId);
    if (!m) throw new Error(`no message ${eventId}`);
    return m.edits.at(-1)?.text ?? m.text;
  }

  inRoom(roomId: string): SentMessage[] {
    return this.messages.filter((m) => m.roomId === roomId);
  }

  dmOf(userId: string): SentMessage[] {
    const rooms = this.directRooms.filter((d) => d.userId === userId).map((d) => d.roomId);
    return this.messages.filter((m) => rooms.includes(m.roomId));
  }
}
