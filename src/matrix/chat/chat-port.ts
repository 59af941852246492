import { createHash } from 'node:crypto';
import {
  EncryptedRoomEvent,
  type ICryptoRoomInformation,
  type MatrixClient,
} from '@vector-im/matrix-bot-sdk';
import type {
  ChatPort,
  DirectRoom,
  OutgoingFile,
  ReactionSeen,
  ReactionsRead,
  SendOptions,
} from '../../app/ports.js';
import type { Rich } from '../../i18n/rich.js';
import type { Logger } from '../../log.js';
import { editContent, fitsInEvent, messageContent } from './content.js';
import { withRateLimitRetry } from './rate-limit.js';

/** A direct-message room as the bot creates it with encryption on (preset trusted_private_chat: history shared). */
const ENCRYPTED_DIRECT_ROOM: ICryptoRoomInformation = {
  algorithm: 'm.megolm.v1.aes-sha2',
  historyVisibility: 'shared',
};

/** How long the first message into a new direct-message room waits for the homeserver to list the invite. */
const LISTED_WAIT_MS = 5_000;

/** The chat port on a real homeserver, through matrix-bot-sdk. The only place that knows how events leave. */
export class MatrixChatPort implements ChatPort {
  constructor(
    private readonly client: MatrixClient,
    readonly botUserId: string,
    private readonly log: Logger,
    /** The client has a crypto engine: encrypted rooms are read and written like plain ones. */
    private readonly encryption = false,
  ) {}

  fits(message: Rich): boolean {
    return fitsInEvent(message);
  }

  async send(roomId: string, message: Rich, options: SendOptions = {}): Promise<string> {
    const content = messageContent(message, options);
    if (!options.key) return this.call('send', () => this.client.sendMessage(roomId, content));
    // A transaction ID derived from the key: Synapse answers a repeated PUT with the first event
    // instead of sending again, which closes the gap between sending and storing that we sent.
    const txnId = `mb${createHash('sha256').update(`${this.botUserId}\n${roomId}\n${options.key}`).digest('hex').slice(0, 32)}`;
    // In an encrypted room the content is encrypted first; the transaction ID still deduplicates.
    const encrypted = await this.encryptedFor(roomId, 'm.room.message', content);
    const type = encrypted ? 'm.room.encrypted' : 'm.room.message';
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/${type}/${txnId}`;
    // Its own transaction ID makes a second try safe: the homeserver answers it with the first event.
    const response = await this.call(
      'send',
      () => this.client.doRequest('PUT', path, null, encrypted ?? content),
      true,
    );
    return String(response.event_id);
  }

  async edit(roomId: string, eventId: string, message: Rich): Promise<void> {
    await this.call('edit', () => this.client.sendMessage(roomId, editContent(eventId, message)));
  }

  async react(roomId: string, eventId: string, key: string): Promise<void> {
    await this.call('react', () =>
      this.client.sendEvent(roomId, 'm.reaction', {
        'm.relates_to': { rel_type: 'm.annotation', event_id: eventId, key },
      }),
    );
  }

  async joinedMembers(roomId: string): Promise<Map<string, string>> {
    const members = await this.call(
      'members',
      () => this.client.getJoinedRoomMembersWithProfiles(roomId),
      true,
    );
    const named = new Map<string, string>();
    for (const [userId, profile] of Object.entries(members)) {
      if (userId === this.botUserId) continue;
      named.set(userId, profile.display_name?.trim() || localpart(userId));
    }
    return named;
  }

  async displayName(roomId: string, userId: string): Promise<string> {
    try {
      const member = await this.client.getRoomStateEvent(roomId, 'm.room.member', userId);
      if (typeof member?.displayname === 'string' && member.displayname.trim())
        return member.displayname.trim();
    } catch {
      // not a member (yet): fall back to the global profile
    }
    try {
      const profile = await this.client.getUserProfile(userId);
      if (typeof profile?.displayname === 'string' && profile.displayname.trim())
        return profile.displayname.trim();
    } catch {
      // unknown user: the localpart is the best name we have
    }
    return localpart(userId);
  }

  async directRoom(userId: string, known: string | undefined): Promise<DirectRoom> {
    if (known) {
      const reaches = await this.stillReaches(known, userId);
      // A room made while encryption was off (or while the bot ran without its keys) must not carry
      // links once encryption is on: a join link is a credential. Asked as the send will ask it.
      if (reaches && (!this.encryption || (await this.client.crypto.isRoomEncrypted(known)))) {
        return { kind: 'ready', roomId: known };
      }
      this.log.info(
        { userId, roomId: known, reason: reaches ? 'not encrypted' : 'person gone' },
        'direct-message room is of no use for links any more; making a new one',
      );
      // Best effort: the stale room is of no use to anyone any more.
      await this.client.leaveRoom(known).catch(() => undefined);
    }
    try {
      const roomId = await this.call('createDirectRoom', () =>
        this.client.createRoom({
          preset: 'trusted_private_chat',
          is_direct: true,
          invite: [userId],
          // A join link is a credential: with encryption on, the room that carries it is encrypted.
          ...(this.encryption
            ? {
                initial_state: [
                  {
                    type: 'm.room.encryption',
                    state_key: '',
                    content: { algorithm: 'm.megolm.v1.aes-sha2' },
                  },
                ],
              }
            : {}),
        }),
      );
      if (this.encryption) {
        // What the room was created with, known before the SDK reads it back (see SqliteCryptoStorageProvider).
        await this.client.cryptoStore.storeRoom(roomId, ENCRYPTED_DIRECT_ROOM);
        await this.untilListed(roomId, userId);
      }
      return { kind: 'ready', roomId };
    } catch (error) {
      // The invite was refused (unknown or deactivated account, their server unreachable, …).
      const reason = errcodeOf(error) ?? (error instanceof Error ? error.message : String(error));
      return { kind: 'undeliverable', reason };
    }
  }

  /**
   * matrix-bot-sdk shares an encrypted room's key with the members the homeserver lists (/members).
   * Synapse has listed a direct-message room the bot had just created without the person invited in
   * that very request (seen under load), and the join link went out encrypted for nobody but the bot.
   * So the first message waits (briefly) until the person is listed.
   */
  private async untilListed(roomId: string, userId: string): Promise<void> {
    const started = Date.now();
    for (;;) {
      const members = await this.client
        .getRoomMembers(roomId, undefined, ['invite', 'join'])
        .catch(() => [] as { membershipFor: string }[]);
      if (members.some((m) => m.membershipFor === userId)) return;
      if (Date.now() - started >= LISTED_WAIT_MS) {
        this.log.warn(
          { roomId, userId },
          'the homeserver does not list the invite in a new direct-message room yet',
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** True while the person is joined or invited in the room and the bot can still read its state. */
  private async stillReaches(roomId: string, userId: string): Promise<boolean> {
    try {
      const member = await this.call(
        'dmMembership',
        () => this.client.getRoomStateEvent(roomId, 'm.room.member', userId),
        true,
      );
      return member?.membership === 'join' || member?.membership === 'invite';
    } catch (error) {
      // 404: no membership at all; 403: the bot itself is no longer in the room.
      const code = errcodeOf(error);
      if (code === 'M_NOT_FOUND' || code === 'M_FORBIDDEN') return false;
      throw error;
    }
  }

  async redactedBy(roomId: string, eventId: string): Promise<string | null> {
    try {
      const event = await this.call(
        'event',
        () =>
          this.client.doRequest(
            'GET',
            `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(eventId)}`,
          ),
        true,
      );
      const sender = event?.unsigned?.redacted_because?.sender;
      return typeof sender === 'string' ? sender : null;
    } catch (error) {
      this.log.debug({ err: error, eventId }, 'could not read a redacted event');
      return null;
    }
  }

  async reactionsTo(roomId: string, eventId: string): Promise<ReactionsRead> {
    const seen: ReactionSeen[] = [];
    const unreadable: string[] = [];
    let from: string | undefined;
    // No event-type filter: in an encrypted room an encrypted reaction is an m.room.encrypted event
    // (its m.relates_to stays in the clear, so the server still finds it as an annotation).
    const path = `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/relations/${encodeURIComponent(eventId)}/m.annotation`;
    do {
      const page = await this.call(
        'relations',
        () => this.client.doRequest('GET', path, { limit: 100, dir: 'f', ...(from ? { from } : {}) }),
        true,
      );
      for (const raw of page.chunk ?? []) {
        const event = await this.readable(roomId, raw);
        if (event === null && typeof raw?.event_id === 'string') unreadable.push(raw.event_id);
        if (event?.type !== 'm.reaction') continue;
        const relation = event.content?.['m.relates_to'];
        if (
          relation?.rel_type !== 'm.annotation' ||
          relation.event_id !== eventId ||
          typeof relation.key !== 'string'
        )
          continue;
        seen.push({
          eventId: event.event_id,
          sender: event.sender,
          key: relation.key,
          ts: event.origin_server_ts ?? 0,
        });
      }
      from = page.next_batch;
    } while (from);
    return { reactions: seen.sort((a, b) => a.ts - b.ts), unreadable };
  }

  async reactionsBy(
    roomId: string,
    sender: string,
    eventIds: readonly string[],
    since: number,
  ): Promise<Map<string, ReactionsRead>> {
    const out = new Map<string, ReactionsRead>(eventIds.map((id) => [id, { reactions: [], unreadable: [] }]));
    // Reactions are m.reaction events, or m.room.encrypted ones whose m.relates_to stays in the clear.
    const filter = JSON.stringify({ senders: [sender], types: ['m.reaction', 'm.room.encrypted'] });
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages`;
    let from: string | undefined;
    for (;;) {
      const page = await this.call(
        'messages',
        () => this.client.doRequest('GET', path, { dir: 'b', limit: 500, filter, ...(from ? { from } : {}) }),
        true,
      );
      // biome-ignore lint/suspicious/noExplicitAny: raw events from the homeserver are untyped JSON
      const chunk: any[] = page.chunk ?? [];
      for (const raw of chunk) {
        // A redacted reaction has lost its relation: it is not there any more.
        const clear = raw?.content?.['m.relates_to'];
        const read = out.get(clear?.event_id);
        if (clear?.rel_type !== 'm.annotation' || !read || raw.sender !== sender) continue;
        const event = await this.readable(roomId, raw);
        if (event === null) {
          read.unreadable.push(raw.event_id);
          continue;
        }
        const relation = event.content?.['m.relates_to'];
        if (
          event.type !== 'm.reaction' ||
          relation?.event_id !== clear.event_id ||
          typeof relation.key !== 'string'
        )
          continue;
        read.reactions.push({
          eventId: event.event_id,
          sender: event.sender,
          key: relation.key,
          ts: event.origin_server_ts ?? 0,
        });
      }
      const oldest = chunk.at(-1)?.origin_server_ts;
      if (!chunk.length || !page.end || (typeof oldest === 'number' && oldest < since)) break;
      from = page.end;
    }
    for (const read of out.values()) read.reactions.sort((a, b) => a.ts - b.ts);
    return out;
  }

  async sendFile(roomId: string, file: OutgoingFile): Promise<string> {
    const info = { mimetype: file.mimetype, size: file.data.length };
    const content: Record<string, unknown> = {
      msgtype: 'm.file',
      body: file.name,
      filename: file.name,
      info,
    };
    if (this.encryption && (await this.client.crypto.isRoomEncrypted(roomId))) {
      // In an encrypted room the file is encrypted too (AES-CTR, key and hash in the encrypted event):
      // the homeserver's media repository only ever holds ciphertext.
      const encrypted = await this.client.crypto.encryptMedia(file.data);
      const url = await this.call('upload', () =>
        this.client.uploadContent(encrypted.buffer, 'application/octet-stream', 'encrypted'),
      );
      content.file = { ...encrypted.file, url };
    } else {
      content.url = await this.call('upload', () =>
        this.client.uploadContent(file.data, file.mimetype, file.name),
      );
    }
    return this.call('send', () => this.client.sendMessage(roomId, content));
  }

  async isEncrypted(roomId: string): Promise<boolean> {
    try {
      const state = await this.client.getRoomStateEvent(roomId, 'm.room.encryption', '');
      return !!state?.algorithm;
    } catch {
      return false;
    }
  }

  /** The encrypted content for an encrypted room, or null for a plain one (or without encryption). */
  private async encryptedFor(roomId: string, type: string, content: Record<string, unknown>) {
    if (!this.encryption || !(await this.client.crypto.isRoomEncrypted(roomId))) return null;
    return this.client.crypto.encryptRoomEvent(roomId, type, content);
  }

  /** An event fetched outside /sync, decrypted when it is encrypted; null when it cannot be read. */
  // biome-ignore lint/suspicious/noExplicitAny: raw events from the homeserver are untyped JSON
  private async readable(roomId: string, raw: any): Promise<any> {
    if (raw?.type !== 'm.room.encrypted') return raw;
    if (!this.encryption) return null;
    try {
      return (await this.client.crypto.decryptRoomEvent(new EncryptedRoomEvent(raw), roomId)).raw;
    } catch (error) {
      this.log.warn(
        { roomId, eventId: raw.event_id, sender: raw.sender, reason: (error as Error).message },
        'an encrypted reaction fetched from the homeserver cannot be decrypted',
      );
      return null;
    }
  }

  private call<T>(what: string, fn: () => Promise<T>, repeatable = false): Promise<T> {
    return withRateLimitRetry(this.log, what, fn, { repeatable });
  }
}

function errcodeOf(error: unknown): string | undefined {
  const e = error as { errcode?: unknown; body?: { errcode?: unknown } } | null;
  const code = e?.errcode ?? e?.body?.errcode;
  return typeof code === 'string' ? code : undefined;
}

function localpart(userId: string): string {
  return userId.slice(1).split(':')[0] ?? userId;
}
