// Audit d (design.md §3.7, §4 `!mydata`, §5 logs): the data-protection officer's view. A person who
// plays every role (invitee, organizer who names a guest and invites someone, admin who withdraws on
// others' behalf): `!mydata` gives them every row that names them, and retention leaves none.
import { LogService } from '@vector-im/matrix-bot-sdk';
import { describe, expect } from 'vitest';
import type { SubjectAccess } from '../../../src/app/subject-access.js';
import { routeMatrixSdkLogs } from '../../../src/log.js';
import { ADMIN, ALICE, BOB, CAROL, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { it } from '../../support/fixtures.js';
import { guestLinksIn } from '../../support/guest-web.js';
import { logSink } from '../../support/log-sink.js';
import {
  copyReflects,
  currentSession,
  DAY,
  endAndDiscover,
  everyRow,
  fillEveryTableFor,
  fillOtherRolesFor,
  joinAs,
  lastMeetingId,
  tablesNaming,
} from '../recordings/support.js';

const EVERY_ROLE = {
  http: { enabled: true, port: 0, publicUrl: 'https://bot.example.org/' },
  admins: [ADMIN, ALICE],
  consent: { ask: 'direct' },
  retention: { recordingDays: 1, evidenceDaysAfterPurge: 10 },
};

/** Rows naming the person: their Matrix ID or their display name. */
const rowsNaming = (h: Parameters<typeof everyRow>[0], ...needles: string[]) =>
  everyRow(h).filter(({ row }) => needles.some((n) => row.includes(n)));

describe('a person in every role', () => {
  it('!mydata reflects every row naming them: guests they named, answers they recorded for others, the first layers naming them', async ({
    harness,
  }) => {
    const h = await harness(EVERY_ROLE);
    await fillEveryTableFor(h, ALICE);
    await fillOtherRolesFor(h, ALICE);
    const rows = rowsNaming(h, ALICE, 'Alice');
    const tables = new Set(rows.map((r) => r.table));
    for (const table of ['meetings', 'invitees', 'guests', 'consent_events', 'consent_texts']) {
      expect(tables, table).toContain(table);
    }

    await h.say(ALICE, '!mydata');
    const dm = h.app.ctx.stores.state.directRoom(ALICE)!;
    const file = h.chat.files.filter((f) => f.roomId === dm).at(-1)!;
    const copy = JSON.parse(file.data.toString('utf8')) as SubjectAccess;
    for (const { table, values } of rows) {
      expect(copyReflects(copy, ALICE, table, values), `${table}: ${JSON.stringify(values)}`).toBe(true);
    }
    // The guest's name is the one she typed; the other people appear by ID only.
    expect(copy.forOthers.invited.map((i) => i.guestName).filter(Boolean)).toEqual(['Erika Muster']);
    expect(file.data.toString('utf8')).not.toContain('"Bob"');
    // Each item says when it goes: what she did for others goes with that meeting's evidence.
    for (const item of [...copy.forOthers.invited, ...copy.forOthers.answersRecorded])
      expect(item.deletion.rule).toContain('retention.evidenceDaysAfterPurge');
  });

  it('retention leaves no row naming them, nor the guest they named', async ({ harness }) => {
    const h = await harness(EVERY_ROLE);
    await fillEveryTableFor(h, ALICE);
    await fillOtherRolesFor(h, ALICE);
    expect(tablesNaming(h, 'Erika Muster')).toEqual(expect.arrayContaining(['guests', 'invitees']));
    for (const days of [2, 14, 11, 31]) {
      h.clock.advance(days * DAY);
      await h.app.retention.run();
    }
    expect(tablesNaming(h, ALICE, 'Alice', 'Erika Muster')).toEqual([]);
    expect(tablesNaming(h, ORGANIZER, 'Olga')).toEqual([]);
  });
});

describe('markers retention must find', () => {
  it("room mode: the first layer listing invitees, a non-invitee's ✅, a link that could not reach someone, a person who only asked for the notice and their data: none is left", async ({
    harness,
  }) => {
    const h = await harness({ retention: { recordingDays: 1, evidenceDaysAfterPurge: 10 } });
    const { id, prompt } = await h.plan(`Weekly sync ${ALICE}`);
    const [outsider] = await h.agree(prompt, CAROL);
    await h.agree(prompt, ORGANIZER);
    h.chat.unreachable.add(ALICE);
    await h.agree(prompt, ALICE);
    await h.app.tick();
    const session = currentSession(h, id);
    expect(session.record).toBe(true);
    await h.say(BOB, '!notice');
    await h.say(BOB, '!mydata');

    const state = h.app.ctx.stores.state;
    expect(state.isNoAnswer(id, outsider)).toBe(true);
    expect(tablesNaming(h, ALICE)).toContain('room_notes');
    expect(tablesNaming(h, 'Alice')).toContain('consent_texts');
    expect(tablesNaming(h, BOB)).toEqual(expect.arrayContaining(['direct_rooms', 'audit_log']));
    const bobsRoom = state.directRoom(BOB)!;

    h.sim.endMeeting(session.bbbMeetingId);
    await h.app.discovery.closeEndedMeetings();
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('closed');
    for (const days of [11, 31]) {
      h.clock.advance(days * DAY);
      await h.app.retention.run();
    }
    const left = (...needles: string[]) => tablesNaming(h, ...needles);
    expect(left(ALICE, 'Alice', CAROL, outsider, BOB, bobsRoom)).toEqual([]);
    expect(h.chat.inRoom(ROOM).length).toBeGreaterThan(0);
  });
});

describe('the log, when things go wrong', () => {
  it('names no title, display name, guest name, guest token or link at any level, through faults, retries and withdrawals', async ({
    harness,
  }) => {
    const sink = logSink('trace');
    const h = await harness(
      { http: { enabled: true, port: 0, publicUrl: 'https://bot.example.org/' }, consent: { ask: 'direct' } },
      { log: sink.log },
    );
    // A meeting with a guest, opened while BBB is down, whose link cannot reach Alice.
    h.chat.unreachable.add(ALICE);
    await h.say(ORGANIZER, `!meeting Salary talks Mallory ${ALICE} --guest "Erika Muster"`);
    const withGuest = lastMeetingId(h);
    h.sim.faults.set({ refuseConnections: true });
    await h.say(ORGANIZER, `!start #${withGuest}`);
    h.sim.faults.clear();
    await h.app.tick();
    expect(currentSession(h, withGuest).confirmedAt).not.toBeNull();
    h.chat.unreachable.delete(ALICE);
    await h.app.tick();

    // A recorded meeting: a withdrawal while BBB fails to end it, then the recording's playback
    // links, a deletion BBB refuses at first.
    await h.say(ORGANIZER, `!meeting Salary talks Mallory ${ALICE} ${BOB}`);
    const recorded = lastMeetingId(h);
    for (const user of [ORGANIZER, ALICE, BOB]) {
      const prompt = h.app.ctx.stores.meetings.dmPrompt(recorded, user)!;
      await h.react(user, prompt.eventId, '✅', prompt.roomId);
    }
    await joinAs(h, ALICE);
    const recordId = await endAndDiscover(h, recorded);
    h.sim.faults.set({ http500: ['deleteRecordings'] });
    await h.say(BOB, '!withdraw');
    h.sim.faults.clear();
    await h.app.retention.run();
    expect(h.app.ctx.stores.recordings.get(recordId)?.state).toBe('purged');

    const out = sink.out();
    expect(sink.records().some((r) => r.msg === 'join link delivered')).toBe(true);
    const links = [ORGANIZER, ALICE, BOB].flatMap((u) =>
      h.chat.dmOf(u).flatMap((m) => [...m.text.matchAll(/https?:\/\/\S+/g)].map((x) => x[0])),
    );
    const guestLinks = guestLinksIn(h.chat.dmOf(ORGANIZER).map((m) => m.text));
    expect(guestLinks).toHaveLength(1);
    expect(links.some((l) => l.includes('/join?'))).toBe(true);
    for (const personal of [
      'Salary talks',
      'Mallory',
      'Erika',
      'Alice',
      'Olga',
      'Bob',
      ...links,
      ...guestLinks.map((l) => l.split('/g/')[1]!),
    ])
      expect(out, personal).not.toContain(personal);
  });
});

describe('the log and the guest links', () => {
  it('scrubs the guest token when matrix-bot-sdk writes the message to the organizer at trace level (a DM without encryption)', async ({
    harness,
  }) => {
    const sink = logSink('trace');
    const h = await harness({ http: { enabled: true, port: 0, publicUrl: 'https://bot.example.org/' } });
    await h.say(ORGANIZER, `!meeting Weekly sync ${ALICE} --guest "Erika Muster"`);
    const message = h.chat.dmOf(ORGANIZER).find((m) => guestLinksIn([m.text]).length > 0)!;
    const token = guestLinksIn([message.text])[0]!.split('/g/')[1]!;
    routeMatrixSdkLogs(sink.log);
    // What matrix-bot-sdk's HTTP client writes for a send at trace level: the request body.
    LogService.trace(
      'MatrixHttpClient',
      '(REQ-7)',
      `body = ${JSON.stringify({ msgtype: 'm.text', body: message.text, format: 'org.matrix.custom.html', formatted_body: message.html })}`,
    );
    expect(sink.out()).toContain('/g/[redacted]');
    expect(sink.out()).not.toContain(token);
  });
});

describe('the end date !mydata states', () => {
  it('a recorded meeting whose recording never came (nobody joined): the evidence goes on the date the copy says, not earlier or later', async ({
    harness,
  }) => {
    // A short evidence period: shorter than the time the bot keeps watching BBB for a recording.
    const h = await harness({ consent: { ask: 'direct' }, retention: { evidenceDaysAfterPurge: 1 } });
    await h.say(ORGANIZER, `!meeting Weekly sync ${ALICE}`);
    const id = lastMeetingId(h);
    for (const user of [ORGANIZER, ALICE]) {
      const prompt = h.app.ctx.stores.meetings.dmPrompt(id, user)!;
      await h.react(user, prompt.eventId, '✅', prompt.roomId);
    }
    const session = currentSession(h, id);
    expect(session.record).toBe(true);
    h.sim.endMeeting(session.bbbMeetingId);
    await h.app.discovery.closeEndedMeetings();
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('closed');

    await h.say(ALICE, '!mydata');
    const dm = h.app.ctx.stores.state.directRoom(ALICE)!;
    const file = h.chat.files.filter((f) => f.roomId === dm).at(-1)!;
    const copy = JSON.parse(file.data.toString('utf8')) as SubjectAccess;
    const stated = Date.parse(copy.meetings.find((m) => m.id === id)!.deletion.on!);

    h.clock.t = stated - 60_000;
    await h.app.retention.run();
    expect(h.app.ctx.stores.meetings.get(id), 'still there just before the stated date').toBeDefined();
    h.clock.t = stated + 60_000;
    await h.app.retention.run();
    expect(h.app.ctx.stores.meetings.get(id), 'gone just after the stated date').toBeUndefined();
  });
});

describe("the DM room's end", () => {
  it('a DM room older than the grace period goes with the last meeting that named the person, not 30 days later (the notice says "at the latest")', async ({
    harness,
  }) => {
    const h = await harness({ consent: { ask: 'direct' }, retention: { evidenceDaysAfterPurge: 10 } });
    await h.say(ORGANIZER, `!meeting Someday ${ALICE}`);
    const id = lastMeetingId(h);
    expect(h.app.ctx.stores.state.directRoom(ALICE)).toBeDefined();
    h.clock.advance(40 * DAY);
    await h.app.retention.run(); // expires (unanswered for 14 days)
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('cancelled');
    expect(h.app.ctx.stores.state.directRoom(ALICE)).toBeDefined();
    h.clock.advance(11 * DAY);
    await h.app.retention.run(); // the evidence goes, and with it the room made 51 days ago
    expect(h.app.ctx.stores.meetings.get(id)).toBeUndefined();
    expect(h.app.ctx.stores.state.directRoom(ALICE)).toBeUndefined();
  });
});

describe('a prune that fails half-way', () => {
  it('the database refuses a write while the markers of a pruned meeting are forgotten: the next run still forgets every marker naming the person', async ({
    harness,
  }) => {
    const h = await harness({
      consent: { ask: 'direct' },
      retention: { recordingDays: 1, evidenceDaysAfterPurge: 10 },
    });
    const { recordId } = await fillEveryTableFor(h, ALICE);
    const state = h.app.ctx.stores.state;
    const forget = state.forgetSessionsAndRecordings.bind(state);
    let failures = 0;
    // Once, when the recorded meeting's evidence goes (its playback marker names her).
    state.forgetSessionsAndRecordings = (sessionIds, recordIds) => {
      if (recordIds.includes(recordId) && failures++ === 0)
        throw new Error('SQLITE_BUSY: database is locked');
      forget(sessionIds, recordIds);
    };
    let failed = 0;
    for (const days of [2, 14, 1, 11, 31]) {
      h.clock.advance(days * DAY);
      await h.app.retention.run().catch(() => failed++);
    }
    expect(failed).toBe(1);
    expect(h.app.ctx.stores.meetings.ofUser(ALICE)).toEqual([]);
    expect(tablesNaming(h, ALICE, 'Alice')).toEqual([]);
  });
});
