// `!recordings`, `!purge <ref>`, `!purge --expired` and `!mydata` (design.md §4).
import { describe, expect } from 'vitest';
import { recordingRef } from '../../../src/commands/recordings.js';
import { join, lines, mention } from '../../../src/i18n/rich.js';
import { ADMIN, ALICE, BOB, CAROL, ROOM } from '../../support/app-harness.js';
import { around, said, t, usageOf } from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';
import {
  botState,
  callCounts,
  DAY,
  lastRoomText,
  recordedMeetingWithRecording,
  simState,
} from './support.js';

/** How each line of a purge report begins: `Gelöscht (n): `, `Nichts gelöscht.`, `Nicht gelöscht (n): `. */
const reportHeads = (deleted: number, failed: number) =>
  said(t.purgeReport(Array(deleted).fill(join(['…'])), Array(failed).fill(join(['…']))))
    .split('\n')
    .map((line) => line.split('…')[0]!);

/** Line `n` of the `!mydata` answer for a person with `deliveries` delivered links. */
const mydataLine = (userId: string, deliveries: number, n: number) =>
  said(
    t.mydata({
      userId,
      meetings: [],
      consents: [],
      deliveries,
      audit: 0,
      recordings: 0,
      file: 'x',
      prefix: '!',
    }),
  ).split('\n')[n - 1]!;
const heading = (userId: string) => mydataLine(userId, 0, 1);

describe('!recordings', () => {
  it('lists state, age and deletion date of this room’s recordings', async ({ harness }) => {
    const h = await harness({ retention: { recordingDays: 30 } });
    const first = await recordedMeetingWithRecording(h, 'Weekly sync');
    const firstDate = h.app.ctx.date(h.clock.now());
    h.clock.advance(3 * DAY);
    const second = await recordedMeetingWithRecording(h, 'Retro');
    const secondDate = h.app.ctx.date(h.clock.now());
    h.clock.advance(2 * 60 * 60_000);

    await h.say(CAROL, '!recordings');
    const text = lastRoomText(h);
    /** The line of an available recording of `title` made on `date`, `age` old. */
    const line = (recordId: string, title: string, date: string, age: string) =>
      said(
        t.recordingLine({
          ref: recordingRef(recordId),
          name: t.recordingName(title, date),
          state: t.recordingStates.available!,
          age,
          deleteOn: h.app.ctx.date(h.app.ctx.stores.recordings.get(recordId)!.deleteAfter!),
        }),
      );
    expect(text).toContain(said(t.recordingsHeader));
    expect(text).toContain(line(first.recordId, 'Weekly sync', firstDate, t.days(3)));
    expect(text).toContain(line(second.recordId, 'Retro', secondDate, t.hours(2)));

    // A pending deletion shows as such; purged recordings are no longer listed.
    h.sim.faults.set({ http500: ['deleteRecordings'] });
    await h.say(BOB, '!withdraw #2');
    h.sim.faults.clear();
    await h.say(CAROL, '!recordings');
    expect(lastRoomText(h)).toContain(
      `${said(t.recordingName('Retro', secondDate))}: ${t.recordingStates['purge-pending']}`,
    );
    await h.app.retention.run();
    await h.say(CAROL, '!recordings');
    expect(lastRoomText(h)).not.toContain(said(t.recordingName('Retro', secondDate)));
    expect(lastRoomText(h)).toContain(said(t.recordingName('Weekly sync', firstDate)));
  });

  it('says so when the room has none, and shows no other room’s recordings', async ({ h }) => {
    await recordedMeetingWithRecording(h);
    h.chat.room('!other:test', [h.chat.botUserId, ALICE]);
    await h.say(ALICE, '!recordings', '!other:test');
    expect(h.chat.inRoom('!other:test').at(-1)?.text).toBe(said(t.recordingsNone));
  });
});

describe('!purge', () => {
  it('is refused for non-admins and changes nothing', async ({ h }) => {
    const { recordId } = await recordedMeetingWithRecording(h);
    h.sim.resetRequests();
    await h.say(ALICE, `!purge ${recordingRef(recordId)}`);
    expect(lastRoomText(h)).toBe(said(t.notAllowed(t.whoAdmin)));
    await h.say(ALICE, '!purge --expired');
    expect(lastRoomText(h)).toBe(said(t.notAllowed(t.whoAdmin)));
    expect(simState(h, recordId)).toBe('published');
    expect(callCounts(h).deleteRecordings ?? 0).toBe(0);
  });

  it('deletes one recording by its reference and reports exactly that', async ({ h }) => {
    const a = await recordedMeetingWithRecording(h, 'Weekly sync');
    const b = await recordedMeetingWithRecording(h, 'Retro');
    await h.say(ADMIN, `!purge ${recordingRef(a.recordId)}`);
    const date = h.app.ctx.date(h.clock.now());
    // What "deleted" means on this BBB server is said with it (notice.finalDeletion).
    expect(lastRoomText(h)).toBe(
      said(
        lines([
          t.purgeReport([t.recordingName('Weekly sync', date)], []),
          t.deletionMeans(h.config.notice.finalDeletion!),
        ]),
      ),
    );
    expect(simState(h, a.recordId)).toBe('deleted');
    expect(simState(h, b.recordId)).toBe('published');
    expect(botState(h, a.recordId)).toBe('purged');
    const audit = h.app.ctx.stores.audit.forMeeting(a.meetingId);
    expect(audit.find((x) => x.action === 'recording.purged')).toMatchObject({
      actorId: ADMIN,
      details: { recordId: a.recordId, reason: 'admin' },
    });
  });

  it('deletes every recording of a meeting by meeting reference', async ({ h }) => {
    const a = await recordedMeetingWithRecording(h, 'Weekly sync');
    const b = await recordedMeetingWithRecording(h, 'Retro');
    await h.say(ADMIN, `!purge #${b.meetingId}`);
    const date = h.app.ctx.date(h.clock.now());
    expect(lastRoomText(h)).toContain(said(t.purgeReport([t.recordingName('Retro', date)], [])));
    expect(simState(h, b.recordId)).toBe('deleted');
    expect(simState(h, a.recordId)).toBe('published');
  });

  it('reports what BBB did not delete, and why', async ({ h }) => {
    const { recordId } = await recordedMeetingWithRecording(h);
    h.sim.faults.set({ dropDeletes: true });
    await h.say(ADMIN, `!purge ${recordingRef(recordId)}`);
    const name = t.recordingName('Weekly sync', h.app.ctx.date(h.clock.now()));
    const failed = t.purgeFailedItem(name, 'still listed by BBB');
    expect(lastRoomText(h)).toContain(said(t.purgeReport([], [failed])));
    expect(botState(h, recordId)).toBe('purge-pending');
    expect(simState(h, recordId)).toBe('published');
  });

  it('--expired deletes exactly the expired ones (and pending retries) and lists them', async ({
    harness,
  }) => {
    const h = await harness({ retention: { recordingDays: 10 } });
    const old = await recordedMeetingWithRecording(h, 'Old sync');
    const oldDate = h.app.ctx.date(h.clock.now());
    h.clock.advance(8 * DAY);
    const young = await recordedMeetingWithRecording(h, 'Young sync');
    h.clock.advance(3 * DAY);

    await h.say(ADMIN, '!purge --expired');
    expect(lastRoomText(h)).toContain(said(t.purgeReport([t.recordingName('Old sync', oldDate)], [])));
    expect(simState(h, old.recordId)).toBe('deleted');
    expect(simState(h, young.recordId)).toBe('published');

    await h.say(ADMIN, '!purge --expired');
    expect(lastRoomText(h)).toBe(said(t.purgeNothingExpired));
  });

  it('--expired with BBB failing lists the failures and keeps them pending', async ({ harness }) => {
    const h = await harness({ retention: { recordingDays: 1 } });
    const { recordId } = await recordedMeetingWithRecording(h);
    h.clock.advance(2 * DAY);
    h.sim.faults.set({ http500: ['deleteRecordings'] });
    await h.say(ADMIN, '!purge --expired');
    for (const head of reportHeads(0, 1)) expect(lastRoomText(h)).toContain(head);
    expect(botState(h, recordId)).toBe('purge-pending');
    h.sim.faults.clear();
    await h.say(ADMIN, '!purge --expired');
    expect(lastRoomText(h)).toContain(reportHeads(1, 0)[0]);
    expect(simState(h, recordId)).toBe('deleted');
  });

  it('answers usage for wrong input', async ({ h }) => {
    await h.say(ADMIN, '!purge');
    expect(lastRoomText(h)).toBe(said(t.usage(usageOf('purge'))));
    await h.say(ADMIN, '!purge nosuchrecording');
    expect(lastRoomText(h)).toBe(said(t.recordingsNone));
  });
});

describe('!mydata', () => {
  it('answers by direct message when others are in the room', async ({ h }) => {
    const { meetingId } = await recordedMeetingWithRecording(h);
    await h.say(ALICE, '!mydata');
    expect(lastRoomText(h)).toBe(said(t.mydataSent(mention(ALICE, 'Alice'))));
    expect(h.chat.inRoom(ROOM).some((m) => m.text.includes(heading(ALICE)))).toBe(false);
    const dm = h.chat.dmOf(ALICE).at(-1)?.text ?? '';
    expect(dm).toContain(heading(ALICE));
    expect(dm).toContain(said(t.meetingRef(meetingId, 'Weekly sync')));
    expect(dm).toContain(
      around((at) => t.consentEntry({ kind: t.consentKinds.agree!, at, meeting: '', version: '' }))[0],
    );
    expect(dm).toContain(mydataLine(ALICE, 1, 4).split(';')[0]!);
  });

  it('answers in place when the sender is alone with the bot', async ({ h }) => {
    h.chat.room('!alone:test', [h.chat.botUserId, BOB]);
    await h.say(BOB, '!mydata', '!alone:test');
    expect(h.chat.inRoom('!alone:test').at(-1)?.text).toContain(heading(BOB));
  });
});

describe('a long !purge', () => {
  it('shows its progress in one message that ends at the total, then reports', async ({ h }) => {
    const { meetingId } = await recordedMeetingWithRecording(h, 'Long series');
    const session = h.app.ctx.stores.meetings.sessions(meetingId)[0]!;
    // The same BBB meeting recorded 119 more times (e.g. a series that was never purged).
    h.sim.seedRecordings(
      Array.from({ length: 119 }, () => ({ meetingID: session.bbbMeetingId, name: 'Long series' })),
    );
    await h.app.discovery.discoverAll();
    expect(h.app.ctx.stores.recordings.ofMeeting(meetingId)).toHaveLength(120);

    await h.say(ADMIN, `!purge #${meetingId}`);
    const progress = h.chat.inRoom(ROOM).find((m) => m.text === said(t.purgeProgress(50, 120)));
    expect(progress).toBeDefined();
    expect(h.chat.current(progress!.eventId)).toBe(said(t.purgeProgress(120, 120)));
    expect(lastRoomText(h)).toContain(reportHeads(120, 0)[0]);
    expect(h.sim.recordings().filter((r) => r.meetingID === session.bbbMeetingId)).toHaveLength(0);
  });
});
