import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ALICE, createHarness, type Harness, ROOM } from '../../support/app-harness.js';
import { around, plain, t } from '../../support/catalogue.js';
import { intakeOn } from './support.js';

// How the bot treats events it could not decrypt when they arrived, through the same intake as live
// events: matrix-bot-sdk's events are played by a stand-in client; the engine "has" a room key only
// once the test says it arrived.

type Raw = Record<string, unknown> & { event_id: string; content: Record<string, unknown> };

class FakeCryptoClient extends EventEmitter {
  readonly keys = new Set<string>();
  readonly clear = new Map<string, Raw>();
  readonly events = new Map<string, { sender: string }>();
  crypto = {
    decryptRoomEvent: async (event: { raw: Raw }) => {
      const sessionId = event.raw.content.session_id as string;
      if (!this.keys.has(sessionId)) throw new Error('MEGOLM_UNKNOWN_INBOUND_SESSION_ID');
      return { raw: this.clear.get(event.raw.event_id) };
    },
  };
  async getRawEvent(_roomId: string, eventId: string) {
    const e = this.events.get(eventId);
    if (!e) throw new Error('not found');
    return e;
  }
}

let h: Harness;
let client: FakeCryptoClient;
let n = 0;

/** An m.room.encrypted event whose clear form is `clear` (type + content). */
function encrypted(
  sessionId: string,
  clear: { type: string; content: Record<string, unknown> },
  relatesTo?: string,
) {
  n += 1;
  const base = { event_id: `$enc${n}`, sender: ALICE, origin_server_ts: h.clock.now(), room_id: ROOM };
  const raw: Raw = {
    ...base,
    type: 'm.room.encrypted',
    content: {
      algorithm: 'm.megolm.v1.aes-sha2',
      session_id: sessionId,
      ciphertext: 'opaque',
      ...(relatesTo ? { 'm.relates_to': { 'm.in_reply_to': { event_id: relatesTo } } } : {}),
    },
  };
  client.clear.set(raw.event_id, { ...base, ...clear });
  return raw;
}

beforeEach(async () => {
  h = await createHarness();
  client = new FakeCryptoClient();
  intakeOn(h, client, undefined, true, [100, 100]).attach();
  return () => h.close();
});

describe('an event that could not be decrypted on arrival', () => {
  it('is handled once its room key arrives: an encrypted !ping gets its pong', async () => {
    const ping = encrypted('s1', { type: 'm.room.message', content: { msgtype: 'm.text', body: '!ping' } });
    client.emit('room.failed_decryption', ROOM, ping, new Error('MEGOLM_UNKNOWN_INBOUND_SESSION_ID'));
    client.keys.add('s1');
    client.emit('to_device.decrypted', { type: 'm.room_key', content: { room_id: ROOM, session_id: 's1' } });
    await vi.waitFor(() => expect(h.chat.messages.some((m) => m.text === 'pong')).toBe(true));
  });

  it('that stays unreadable and answers the bot: the sender is asked to send it again', async () => {
    const botMessage = await h.chat.send(ROOM, { text: 'hi', html: 'hi', mentions: [] });
    client.events.set(botMessage, { sender: h.chat.botUserId });
    const reply = encrypted('lost', { type: 'm.room.message', content: { body: 'x' } }, botMessage);
    client.emit('room.failed_decryption', ROOM, reply, new Error('MEGOLM_UNKNOWN_INBOUND_SESSION_ID'));
    await vi.waitFor(() => {
      const ask = h.chat.messages.find((m) => m.replyTo === reply.event_id);
      expect(ask?.text).toContain(around((who) => t.undecryptable(plain(who)))[1]);
      expect(ask?.mentions).toEqual([ALICE]);
    });
  });

  it('that stays unreadable in a group conversation not meant for the bot: logged only', async () => {
    const chatter = encrypted('lost2', { type: 'm.room.message', content: { body: 'lunch?' } });
    client.emit('room.failed_decryption', ROOM, chatter, new Error('MEGOLM_UNKNOWN_INBOUND_SESSION_ID'));
    await new Promise((r) => setTimeout(r, 500));
    expect(h.chat.messages).toEqual([]);
  });
});
