// For operators and the data-protection officer, end to end on the real Synapse: after a recorded
// meeting whose recording is deleted on Bob's withdrawal, GET /metrics shows the numbers, and an
// admin's `!evidence` arrives as a file by direct message holding the Matrix event IDs of the answers.
import { parse } from 'csv-parse/sync';
import { expect } from 'vitest';
import { recordingReadyPattern, said, t, withdrawalOf } from '../support/catalogue.js';
import { describeWorld, FAST_RETENTION, worldTest } from './support/fixtures.js';
import {
  acceptNextInvite,
  type MatrixEvent,
  named,
  type TestUser,
  waitForEvent,
} from './support/homeserver.js';
import {
  BOT_TIMEOUT_MS,
  isOpened,
  type MeetingWorld,
  olgaAliceBob,
  planMeeting,
  postFrom,
  receiveLink,
  sessionsNamed,
  wait,
} from './support/meeting-helpers.js';

const it = worldTest({ http: { enabled: true, port: 0 }, retention: FAST_RETENTION }, { admin: 'Ada' });

function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([^\s#{]+(?:\{[^}]*\})?)\s+(\S+)$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

describeWorld(it, 'operations: /metrics and !evidence', () => {
  let w: MeetingWorld;
  let admin: TestUser;
  let botId: string;
  let port: number;
  let roomId: string;
  let olga: TestUser;
  const answers = new Map<string, string>(); // user → reaction event ID

  it.beforeAll(async ({ w: world, admin: ada }) => {
    w = world;
    admin = ada;
    botId = w.botUser.userId;
    port = Number(w.bot.records().find((r) => r.msg === 'http listener started')?.port);

    // A recorded meeting; Alice joins; it ends; its recording is found; Bob withdraws: it is deleted.
    const cast = await olgaAliceBob(w, 'Ops review');
    ({ olga, roomId } = cast);
    const { alice, bob } = cast;
    const m = await planMeeting(olga, roomId, botId, 'Ops review', [alice, bob]);
    for (const u of [olga, alice, bob]) answers.set(u.userId, await u.react(roomId, m.prompt.event_id, '✅'));
    await waitForEvent(olga, roomId, isOpened(botId, 'Ops review'), wait);
    const link = await receiveLink(alice, botId);
    expect(await w.sim.simulateJoin(link.url.toString())).toMatchObject({ ok: true });
    const [session] = sessionsNamed(w.sim, 'Ops review');
    w.sim.endMeeting(session!.meetingID);
    await waitForEvent(olga, roomId, postFrom(botId, recordingReadyPattern), wait);
    const withdrawal = await bob.sendText(roomId, '!withdraw');
    answers.set(`${bob.userId} withdraw`, withdrawal);
    await waitForEvent(olga, roomId, postFrom(botId, withdrawalOf('Bob')), {
      ...wait,
      afterEventId: withdrawal,
    });
  });

  it('GET /metrics shows what happened, in the Prometheus text format', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await res.text();
    const m = samples(text);
    expect(m.get('meetbot_meetings_planned_total')).toBe(1);
    expect(m.get('meetbot_meetings_opened_total{recorded="true"}')).toBe(1);
    expect(m.get('meetbot_consent_answers_total{kind="agree"}')).toBe(3);
    expect(m.get('meetbot_consent_answers_total{kind="withdraw"}')).toBe(1);
    expect(m.get('meetbot_withdrawals_total{by="self"}')).toBe(1);
    expect(m.get('meetbot_recordings_discovered_total')).toBe(1);
    expect(m.get('meetbot_recordings_deleted_total{reason="withdrawal"}')).toBe(1);
    expect(m.get('meetbot_recordings{state="purged"}')).toBe(1);
    const creates = w.sim.requests().filter((r) => r.call === 'create').length;
    expect(m.get('meetbot_bbb_requests_total{call="create",outcome="ok"}')).toBe(creates);
    expect(m.get('meetbot_purge_runs_total{outcome="ok"}')).toBeGreaterThan(0);
    // The bot is syncing: its last sync is at most one long-poll (30 s) old.
    expect(m.get('meetbot_last_sync_age_seconds')).toBeLessThan(35);
    expect(m.get('meetbot_process_resident_memory_bytes')).toBeGreaterThan(0);
    // No people, rooms or secrets in the labels.
    const sampleLines = text.split('\n').filter((l) => !l.startsWith('#'));
    expect(sampleLines.filter((l) => /[@!]/.test(l))).toEqual([]);
  });

  it('!evidence: the admin gets the report as a file by direct message, with the answers’ event IDs', async () => {
    await olga.invite(roomId, admin.userId);
    await admin.join(roomId);
    const asked = await admin.sendText(roomId, '!evidence');
    const dm = await acceptNextInvite(admin, { from: botId, timeoutMs: BOT_TIMEOUT_MS });
    const isFile = named(
      'the report file',
      (e: MatrixEvent) => e.sender === botId && e.content.msgtype === 'm.file',
    );
    const file = await waitForEvent(admin, dm, isFile, wait);
    await waitForEvent(admin, roomId, postFrom(botId, said(t.evidenceSent(1))), {
      ...wait,
      afterEventId: asked,
    });
    expect(String(file.content.body)).toMatch(/^evidence-room-\d{4}-\d{2}-\d{2}\.csv$/);

    const [server, mediaId] = String(file.content.url).replace('mxc://', '').split('/');
    const download = await fetch(`${w.hs.url}/_matrix/client/v1/media/download/${server}/${mediaId}`, {
      headers: { authorization: `Bearer ${admin.accessToken}` },
    });
    expect(download.status).toBe(200);
    const rows = parse(await download.text(), { columns: true }) as Record<string, string>[];
    const consents = rows.filter((r) => r.type === 'consent');
    for (const [key, eventId] of answers) {
      const [user, kind] = key.split(' ');
      const row = consents.find((r) => r.user_id === user && r.answer === (kind ?? 'agree'));
      expect(row?.matrix_event_id, key).toBe(eventId);
    }
    const recording = rows.find((r) => r.type === 'recording');
    expect(recording).toMatchObject({ state: 'purged', deletion_rule: 'withdrawal' });
    expect(rows.filter((r) => r.type === 'notice')).toHaveLength(1);
  });
});
