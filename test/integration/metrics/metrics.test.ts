// GET /metrics after a scenario through the real app (SQLite file, BBB simulator over HTTP, in-memory
// chat): the numbers a Prometheus scrape sees match what happened. Homeserver errors and 429 waits
// come through the real Matrix chat port against a stand-in homeserver.
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import type { BbbPort } from '../../../src/app/ports.js';
import { openDatabase } from '../../../src/db/open.js';
import { startHttpServer } from '../../../src/http/server.js';
import { rich } from '../../../src/i18n/rich.js';
import { observeHomeserverCalls } from '../../../src/matrix/chat/rate-limit.js';
import { instrumentBbb } from '../../../src/metrics/instrument-bbb.js';
import { BotMetrics } from '../../../src/metrics/metrics.js';
import { ALICE, BOB, createHarness, type Harness, ORGANIZER } from '../../support/app-harness.js';
import { chatPortOn, sendingHomeserver } from '../matrix/support.js';
import { recordedMeetingWithRecording } from '../recordings/support.js';

/** `name{a="b"} 3` lines of the Prometheus text format, keyed by `name{a="b"}`. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([^\s{]+(?:\{[^}]*\})?)\s+(\S+)$/.exec(line);
    if (match) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

async function scrape(port: number): Promise<{ contentType: string | null; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  return { contentType: res.headers.get('content-type'), text: await res.text() };
}

describe('GET /metrics after a scenario', () => {
  let h: Harness;
  let metrics: BotMetrics;
  let bbb: BbbPort;

  beforeEach(async () => {
    h = await createHarness(
      { http: { enabled: true, port: 0 } },
      {
        decorate: (client, stores) => {
          metrics = new BotMetrics(
            // `h` is not assigned yet while the harness builds its first app.
            { db: stores.db, lastSyncAt: () => h.clock.now() - 7_000, now: () => (h ? h.clock.now() : 0) },
            { processMetrics: false },
          );
          stores.audit.observe(metrics.onAudit);
          bbb = instrumentBbb(client, metrics);
          return bbb;
        },
      },
    );
    h.app.retention.run = metrics.timePurge(h.app.retention.run.bind(h.app.retention));
    return () => h.close();
  });

  it('counts meetings, answers, withdrawals, recordings, purge runs and BBB requests', async () => {
    // A recorded meeting whose recording the bot found, then a meeting Alice declines.
    const { meetingId, recordId } = await recordedMeetingWithRecording(h, 'Weekly sync', [ALICE, BOB]);
    const { id: retro } = await h.plan(`Retro ${ALICE}`);
    await h.react(ALICE, h.promptOf(retro), '❌');
    await h.react(ORGANIZER, h.promptOf(retro), '✅');
    // Bob withdraws: the recording of the first meeting is deleted.
    await h.say(BOB, `!withdraw #${meetingId}`);
    expect(h.app.ctx.stores.recordings.get(recordId)?.state).toBe('purged');
    await h.app.retention.run();
    // A FAILED answer (unknown meeting) counts as "failed", not "ok".
    const failedBefore =
      parse(await metrics.text()).get('meetbot_bbb_requests_total{call="getMeetingInfo",outcome="failed"}') ??
      0;
    await expect(bbb.getMeetingInfo('never-created')).rejects.toThrow(/notFound/);

    const server = await startHttpServer(h.app, { lastSyncAt: () => h.clock.now() - 7_000, metrics });
    onTestFinished(() => server.close());
    const { contentType, text } = await scrape(server.port);
    expect(contentType).toContain('text/plain');
    const m = parse(text);

    expect(m.get('meetbot_meetings_planned_total')).toBe(2);
    expect(m.get('meetbot_meetings_opened_total{recorded="true"}')).toBe(1);
    expect(m.get('meetbot_meetings_opened_total{recorded="false"}')).toBe(1);
    expect(m.get('meetbot_consent_answers_total{kind="agree"}')).toBe(4);
    expect(m.get('meetbot_consent_answers_total{kind="decline"}')).toBe(1);
    expect(m.get('meetbot_consent_answers_total{kind="withdraw"}')).toBe(1);
    expect(m.get('meetbot_withdrawals_total{by="self"}')).toBe(1);
    expect(m.get('meetbot_recordings_discovered_total')).toBe(1);
    expect(m.get('meetbot_recordings_deleted_total{reason="withdrawal"}')).toBe(1);
    expect(m.get('meetbot_recordings{state="purged"}')).toBe(1);
    expect(m.get('meetbot_recordings{state="purge-pending"}')).toBe(0);
    expect(m.get('meetbot_recordings_delete_failing')).toBe(0);
    expect(m.get('meetbot_purge_runs_total{outcome="ok"}')).toBe(1);
    expect(m.get('meetbot_purge_run_duration_seconds_count')).toBe(1);
    expect(m.get('meetbot_last_sync_age_seconds')).toBe(7);

    // BBB requests by call: the decorator saw every create the simulator answered.
    const creates = h.sim.requests().filter((r) => r.call === 'create').length;
    expect(creates).toBe(2);
    expect(m.get('meetbot_bbb_requests_total{call="create",outcome="ok"}')).toBe(creates);
    expect(m.get('meetbot_bbb_request_duration_seconds_count{call="create",outcome="ok"}')).toBe(creates);
    expect(m.get('meetbot_bbb_requests_total{call="deleteRecordings",outcome="ok"}')).toBe(1);
    expect(m.get('meetbot_bbb_requests_total{call="getMeetingInfo",outcome="failed"}')).toBe(
      failedBefore + 1,
    );
    // joinUrl signs a URL and makes no request: not counted.
    expect(text).not.toContain('call="joinUrl"');

    // Labels never carry people, rooms or secrets.
    expect(text).not.toMatch(/@[a-z]+:test|!room|integration-secret/);
  });

  it('counts recordings whose deletion keeps failing, from the database', async () => {
    const { meetingId, recordId } = await recordedMeetingWithRecording(h, 'Weekly sync', [ALICE]);
    h.sim.faults.set({ http500: ['deleteRecordings', 'getRecordings'] });
    await h.say(ALICE, `!withdraw #${meetingId}`);
    expect(h.app.ctx.stores.recordings.get(recordId)?.state).toBe('purge-pending');
    const m = parse(await metrics.text());
    expect(m.get('meetbot_recordings{state="purge-pending"}')).toBe(1);
    expect(m.get('meetbot_recordings_delete_failing')).toBe(1);
    expect(m.get('meetbot_bbb_requests_total{call="getRecordings",outcome="unavailable"}')).toBeGreaterThan(
      0,
    );
    expect(m.get('meetbot_recordings_deleted_total{reason="withdrawal"}')).toBeUndefined();
  });
});

describe('homeserver errors and 429 waits', () => {
  afterEach(() => observeHomeserverCalls(null));

  it('are counted by call and status, with the time spent waiting', async () => {
    const db = openDatabase(':memory:');
    let now = 1_000_000;
    const metrics = new BotMetrics({ db, lastSyncAt: () => null, now: () => now }, { processMetrics: false });
    observeHomeserverCalls(metrics.homeserver);
    const hs = await sendingHomeserver(40);
    const chat = chatPortOn(hs.url);

    hs.limited = 2;
    await chat.send('!r:test', rich`hello`);
    hs.failWith = [403, { errcode: 'M_FORBIDDEN', error: 'not in room' }];
    await expect(chat.send('!r:test', rich`again`)).rejects.toBeDefined();

    now += 90_000;
    const m = parse(await metrics.text());
    expect(m.get('meetbot_homeserver_rate_limit_waits_total{call="send"}')).toBe(2);
    expect(m.get('meetbot_homeserver_rate_limit_wait_seconds_total')).toBeCloseTo(0.08, 5);
    expect(m.get('meetbot_homeserver_errors_total{call="send",status="403"}')).toBe(1);
    // No sync yet: the age counts from start-up, so a bot that never syncs shows it.
    expect(m.get('meetbot_last_sync_age_seconds')).toBe(90);
    db.$client.close();
  });
});
