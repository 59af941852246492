// The recording-ready callback end to end (reference §5.1): the bot's HTTP listener is the
// `meta_bbb-recording-ready-url` BBB calls after publishing. Polling is switched off here (a
// discovery schedule that never fires in a test run), so the "ready" message can only come from
// the callback. A forged callback is refused with 401 and changes nothing.
import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import { recordingReadyOpening, recordingReadyPattern } from '../support/catalogue.js';
import { describeWorld, listenerOnFreePort, worldTest } from './support/fixtures.js';
import { waitForEvent } from './support/homeserver.js';
import {
  bodyOf,
  isOpened,
  peopleInRoom,
  pingBarrier,
  planMeeting,
  postFrom,
  receiveLink,
  sessionsNamed,
  until,
  wait,
} from './support/meeting-helpers.js';

function token(payload: object, secret: string): string {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${b64({ alg: 'HS256' })}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

let callbackUrl: string;
const it = worldTest(async () => {
  const { base, http } = await listenerOnFreePort();
  callbackUrl = `${base}/bbb/recording-ready`;
  return { retention: { discoverySchedule: '0 0 1 1 *', purgeSchedule: '0 0 1 1 *' }, http };
});

describeWorld(it, 'recording-ready callback', () => {
  async function post(signed: string): Promise<number> {
    const res = await fetch(callbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `signed_parameters=${encodeURIComponent(signed)}`,
    });
    await res.body?.cancel();
    return res.status;
  }

  it('BBB’s signed callback makes the bot announce the recording; forged ones are refused', async ({
    w,
    botId,
  }) => {
    const { people, roomId } = await peopleInRoom(w, ['Olga', 'Alice'], 'callback');
    const [olga, alice] = people;
    const title = 'Callback sync';
    const m = await planMeeting(olga, roomId, botId, title, [alice]);
    for (const u of [olga, alice]) await u.react(roomId, m.prompt.event_id, '✅');
    await waitForEvent(olga, roomId, isOpened(botId, title), wait);
    const [session] = sessionsNamed(w.sim, title);
    // The bot told BBB where to call back.
    expect(session?.metadata['bbb-recording-ready-url']).toBe(callbackUrl);
    const link = await receiveLink(olga, botId);
    expect(await w.sim.simulateJoin(link.url.toString())).toMatchObject({ ok: true });

    w.sim.endMeeting(session!.meetingID);
    const ready = await waitForEvent(olga, roomId, postFrom(botId, recordingReadyOpening(title)), wait);
    expect(bodyOf(ready)).toMatch(recordingReadyPattern);
    // The bot may announce the recording before its HTTP answer to BBB has arrived: wait for that answer.
    const callbacks = await until('the callback answered', () => {
      const sent = w.sim.callbacks().filter((c) => c.kind === 'recording-ready');
      return sent.length > 0 && sent.every((c) => c.status !== undefined || c.error !== undefined) && sent;
    });
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]).toMatchObject({ url: callbackUrl, status: 200 });
    const [rec] = w.sim.recordings().filter((r) => r.meetingID === session!.meetingID);

    // Forged: wrong secret, alg none, garbage. 401, and BBB is not even asked.
    w.sim.resetRequests();
    const claims = { meeting_id: session!.meetingID, record_id: rec!.recordID };
    expect(await post(token(claims, 'guessed-secret'))).toBe(401);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
      JSON.stringify(claims),
    ).toString('base64url')}.`;
    expect(await post(none)).toBe(401);
    expect(await post('garbage')).toBe(401);
    // (The 15-second job may ask about the ended session meanwhile: getMeetingInfo is not a confirmation.)
    expect(w.sim.requests().filter((r) => r.call !== 'getMeetingInfo')).toEqual([]);

    // Validly signed but naming a recording that does not exist: confirmed with BBB, refused.
    expect(await post(token({ meeting_id: 'x', record_id: 'no-such-recording' }, w.sim.secret))).toBe(404);
    // A replay of the genuine callback is harmless: no second announcement.
    expect(await post(token(claims, w.sim.secret))).toBe(200);
    await pingBarrier(olga, roomId, botId);
    expect(olga.sync.eventsIn(roomId).filter(postFrom(botId, recordingReadyPattern))).toHaveLength(1);
    expect(w.sim.recordings().find((r) => r.recordID === rec!.recordID)?.state).toBe('published');
  });
});
