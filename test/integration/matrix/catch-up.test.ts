import { EventEmitter } from 'node:events';
import { MemoryStorageProvider } from '@vector-im/matrix-bot-sdk';
import { pino } from 'pino';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { catalogue } from '../../../src/i18n/index.js';
import { skippedEvents } from '../../../src/matrix/intake/catch-up.js';
import { BotMatrixClient } from '../../../src/matrix/sdk/client.js';
import { BOB, createHarness, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { recordedMeetingWithRecording, simState } from '../recordings/support.js';
import { intakeOn } from './support.js';

// Messages sent while the bot was down (design.md §3.8), through the same intake as live events:
// matrix-bot-sdk's events are played by a stand-in client (an EventEmitter), the homeserver's
// /messages by a stand-in `doRequest` that serves pages of a room's timeline.

const MINUTE = 60_000;
const de = catalogue('de');
let h: Harness;
let n = 0;

function attach(): EventEmitter {
  const client = new EventEmitter();
  intakeOn(h, client).attach();
  return client;
}

function message(sender: string, body: string, ts: number) {
  n += 1;
  return {
    type: 'm.room.message',
    event_id: `$m${n}`,
    sender,
    origin_server_ts: ts,
    content: { msgtype: 'm.text', body },
  };
}

function deliver(client: EventEmitter, event: ReturnType<typeof message>) {
  client.emit('room.message', ROOM, event);
  client.emit('room.event', ROOM, event);
}

beforeEach(async () => {
  h = await createHarness();
  return () => h.close();
});

describe('after a downtime the bot reads what was sent meanwhile', () => {
  it('a !withdraw sent 11 minutes before the restart is carried out; room history before the stop is not', async () => {
    let client = attach();
    const { recordId } = await recordedMeetingWithRecording(h);
    // The bot sees a message, then stops.
    const stoppedAt = h.clock.now();
    deliver(client, message(ORGANIZER, 'hello', stoppedAt));
    await h.restart();
    h.clock.advance(MINUTE);
    const withdraw = message(BOB, '!withdraw', h.clock.now());
    const history = message(ORGANIZER, '!cancel', stoppedAt - 60 * MINUTE);
    h.clock.advance(11 * MINUTE);
    client = attach();
    deliver(client, history);
    deliver(client, withdraw);
    await vi.waitFor(() => expect(simState(h, recordId)).toBe('deleted'), { timeout: 5000 });
    await vi.waitFor(() =>
      expect(h.chat.inRoom(ROOM).find((m) => m.replyTo === withdraw.event_id)?.text).toContain(
        de.receivedAt(h.app.ctx.dateTime(withdraw.origin_server_ts)).text,
      ),
    );
    expect(h.chat.inRoom(ROOM).some((m) => m.replyTo === history.event_id)).toBe(false);
  });
});

describe('a limited sync', () => {
  const page = (events: object[], end?: string) => ({ chunk: events, ...(end ? { end } : {}) });

  it('reads the skipped events back to where the bot stopped, oldest first, only the kinds it acts on', async () => {
    const t = 1_000_000;
    const pages: Record<string, object> = {
      p0: page(
        [
          { type: 'm.room.message', event_id: '$5', origin_server_ts: t + 5 },
          { type: 'm.room.member', state_key: '@x:test', event_id: '$4', origin_server_ts: t + 4 },
          { type: 'm.reaction', event_id: '$3', origin_server_ts: t + 3 },
        ],
        'p1',
      ),
      p1: page(
        [
          { type: 'm.room.encrypted', event_id: '$2', origin_server_ts: t + 2 },
          { type: 'm.room.message', event_id: '$old', origin_server_ts: t - 1 },
          { type: 'm.room.message', event_id: '$older', origin_server_ts: t - 2 },
        ],
        'p2',
      ),
    };
    const asked: string[] = [];
    const client = {
      doRequest: async (_method: string, _path: string, qs: { from: string; dir: string }) => {
        asked.push(qs.from);
        expect(qs.dir).toBe('b');
        return pages[qs.from] ?? page([]);
      },
    };
    const events = await skippedEvents(client as never, ROOM, 'p0', t);
    expect(events.map((e) => e.event_id)).toEqual(['$2', '$3', '$5']);
    expect(asked).toEqual(['p0', 'p1']);
  });

  it('puts the skipped events in front of the sync timeline before the SDK hands them out', async () => {
    const client = new BotMatrixClient('http://127.0.0.1:1', 'token');
    const skipped = message(BOB, '!withdraw', 1);
    const fresh = message(BOB, 'hi', 2);
    client.catchUp = async (roomId, from) => {
      expect([roomId, from]).toEqual([ROOM, 'prev']);
      return [skipped, fresh];
    };
    const seen: string[] = [];
    const emit = async (type: string, _roomId: string, event: { event_id: string }) => {
      if (type === 'room.message') seen.push(event.event_id);
    };
    const sync = {
      rooms: { join: { [ROOM]: { timeline: { limited: true, prev_batch: 'prev', events: [fresh] } } } },
    };
    // biome-ignore lint/suspicious/noExplicitAny: the SDK's protected sync handler, driven directly
    await (client as any).processSync(sync, emit);
    expect(seen).toEqual([skipped.event_id, fresh.event_id]);
  });
});

describe('start-up holds what arrives until the sync has caught up', () => {
  it('handles the held events in arrival order after the wait, and goes on (logged) when the sync is late', async () => {
    const { recordId } = await recordedMeetingWithRecording(h);
    await h.restart();
    // A client that never catches up (never started): the wait ends at its limit.
    const client = new BotMatrixClient('http://127.0.0.1:9', 'token', new MemoryStorageProvider());
    const lines: string[] = [];
    const intake = intakeOn(h, client, pino({ level: 'warn' }, { write: (l: string) => lines.push(l) }));
    intake.attach();
    intake.holdEvents();
    const withdraw = message(BOB, '!withdraw', h.clock.now());
    const ping = message(ORGANIZER, '!ping', h.clock.now());
    deliver(client as unknown as EventEmitter, withdraw);
    deliver(client as unknown as EventEmitter, ping);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(
      h.chat.inRoom(ROOM).some((m) => m.replyTo === withdraw.event_id || m.replyTo === ping.event_id),
    ).toBe(false);
    expect(simState(h, recordId)).toBe('published');

    await intake.releaseEvents(200);
    expect(lines.some((l) => l.includes('catching up with the homeserver is late'))).toBe(true);
    expect(simState(h, recordId)).toBe('deleted');
    const answers = h.chat
      .inRoom(ROOM)
      .filter((m) => m.replyTo === withdraw.event_id || m.replyTo === ping.event_id);
    expect(answers.map((m) => m.replyTo)).toEqual([withdraw.event_id, ping.event_id]);
    intake.detach();
  });
});
