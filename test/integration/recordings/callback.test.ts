// The recording-ready callback (reference §5.1): a hint that is verified (JWT with the BBB secret)
// and then confirmed with getRecordings. Forged, replayed or unknown callbacks change nothing.
import { createHmac } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { type HttpListener, startHttpServer } from '../../../src/http/server.js';
import { createHarness, type Harness, SECRET } from '../../support/app-harness.js';
import { recordingReadyPattern } from '../../support/catalogue.js';
import { botState, endedRecordedMeeting, recordedMeetingWithRecording, roomTexts } from './support.js';

function token(payload: object, secret: string, alg: 'HS256' | 'HS512' = 'HS256'): string {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${b64({ typ: 'JWT', alg })}.${b64(payload)}`;
  const hmac = alg === 'HS256' ? 'sha256' : 'sha512';
  return `${head}.${createHmac(hmac, secret).update(head).digest('base64url')}`;
}

let h: Harness;
let server: HttpListener;
let url: string;

beforeEach(async () => {
  h = await createHarness({ http: { enabled: true, port: 0 } });
  server = await startHttpServer(h.app, { lastSyncAt: () => null });
  url = `${server.url}/bbb/recording-ready`;
  return () => server.close().then(() => h.close());
});

async function post(signed: string): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `signed_parameters=${encodeURIComponent(signed)}`,
  });
  await res.body?.cancel();
  return res.status;
}

function snapshot() {
  const { db } = h.app.ctx.stores;
  return {
    recordings: db.$client.prepare('select * from recordings order by record_id').all(),
    audit: db.$client.prepare('select count(*) as n from audit_log').get(),
    messages: h.chat.messages.length,
  };
}

describe('recording-ready callback', () => {
  it('a valid callback makes the bot learn the recording before the poll and announce it', async () => {
    const { session } = await endedRecordedMeeting(h);
    const [rec] = h.sim.recordings();
    const claims = { meeting_id: session.bbbMeetingId, record_id: rec!.recordID };
    expect(await post(token(claims, SECRET))).toBe(200);
    expect(botState(h, rec!.recordID)).toBe('available');
    expect(roomTexts(h).filter((text) => recordingReadyPattern.test(text))).toHaveLength(1);
    // HS512 (Scalelite) is accepted too; a repeat changes nothing.
    expect(await post(token(claims, SECRET, 'HS512'))).toBe(200);
    expect(roomTexts(h).filter((text) => recordingReadyPattern.test(text))).toHaveLength(1);
  });

  it('a token signed with another secret is refused with 401 and changes nothing', async () => {
    const { recordId } = await recordedMeetingWithRecording(h);
    const before = snapshot();
    h.sim.resetRequests();
    const forged = token({ meeting_id: 'x', record_id: recordId }, 'not-the-bbb-secret');
    expect(await post(forged)).toBe(401);
    expect(await post('not.a.jwt')).toBe(401);
    expect(await post(`${forged.split('.').slice(0, 2).join('.')}.`)).toBe(401);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ meeting_id: 'x', record_id: recordId }),
    ).toString('base64url')}.`;
    expect(await post(none)).toBe(401);
    expect(snapshot()).toEqual(before);
    expect(h.sim.requests()).toEqual([]); // not even a getRecordings
    expect(botState(h, recordId)).toBe('available');
  });

  it('a validly signed token for a recording the bot does not own changes nothing (404)', async () => {
    await recordedMeetingWithRecording(h);
    const [foreign] = h.sim.seedRecordings([{ meetingID: 'someone-elses-meeting' }]);
    const before = snapshot();
    expect(
      await post(token({ meeting_id: 'someone-elses-meeting', record_id: foreign!.recordID }, SECRET)),
    ).toBe(404);
    expect(await post(token({ meeting_id: 'nope', record_id: 'no-such-record' }, SECRET))).toBe(404);
    expect(snapshot()).toEqual(before);
    expect(await h.app.discovery.confirmReported('no-such-record')).toBe(false);
  });

  it('a replayed token after the recording was deleted does not bring it back', async () => {
    const { recordId } = await recordedMeetingWithRecording(h);
    const row = h.app.ctx.stores.recordings.get(recordId)!;
    const session = h.app.ctx.stores.meetings.session(row.sessionId)!;
    const captured = token({ meeting_id: session.bbbMeetingId, record_id: recordId }, SECRET);
    await h.say('@alice:test', '!withdraw');
    expect(botState(h, recordId)).toBe('purged');
    const before = snapshot();
    expect(await post(captured)).toBe(200);
    expect(snapshot()).toEqual(before);
    expect(botState(h, recordId)).toBe('purged');
  });
});
