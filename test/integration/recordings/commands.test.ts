// `!recordings`, `!purge <ref>`, `!purge --expired` and `!mydata` (design.md §4).
import { afterEach, describe, expect, it } from 'vitest';
import { recordingRef } from '../../../src/commands/recordings.js';
import { ADMIN, ALICE, BOB, CAROL, createHarness, type Harness, ROOM } from '../../support/app-harness.js';
import {
  botState,
  callCounts,
  DAY,
  lastRoomText,
  recordedMeetingWithRecording,
  simState,
} from './support.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

describe('!recordings', () => {
  it('lists state, age and deletion date of this room’s recordings', async () => {
    h = await createHarness({ retention: { recordingDays: 30 } });
    const first = await recordedMeetingWithRecording(h, 'Weekly sync');
    const firstDate = h.app.ctx.date(h.clock.now());
    h.clock.advance(3 * DAY);
    const second = await recordedMeetingWithRecording(h, 'Retro');
    const secondDate = h.app.ctx.date(h.clock.now());
    h.clock.advance(2 * 60 * 60_000);

    await h.say(CAROL, '!recordings');
    const text = lastRoomText(h);
    const firstRow = h.app.ctx.stores.recordings.get(first.recordId)!;
    const secondRow = h.app.ctx.stores.recordings.get(second.recordId)!;
    expect(text).toContain('Aufzeichnungen in diesem Raum:');
    expect(text).toContain(
      `${recordingRef(first.recordId)} „Weekly sync“ vom ${firstDate}: verfügbar, 3 Tagen alt, wird am ${h.app.ctx.date(firstRow.deleteAfter!)} gelöscht`,
    );
    expect(text).toContain(
      `${recordingRef(second.recordId)} „Retro“ vom ${secondDate}: verfügbar, 2 Stunden alt, wird am ${h.app.ctx.date(secondRow.deleteAfter!)} gelöscht`,
    );

    // A pending deletion shows as such; purged recordings are no longer listed.
    h.sim.faults.set({ http500: ['deleteRecordings'] });
    await h.say(BOB, '!withdraw #2');
    h.sim.faults.clear();
    await h.say(CAROL, '!recordings');
    expect(lastRoomText(h)).toContain('„Retro“');
    expect(lastRoomText(h)).toContain('Löschung ausstehend');
    await h.app.retention.run();
    await h.say(CAROL, '!recordings');
    expect(lastRoomText(h)).not.toContain('„Retro“');
    expect(lastRoomText(h)).toContain('„Weekly sync“');
  });

  it('says so when the room has none, and shows no other room’s recordings', async () => {
    h = await createHarness();
    await recordedMeetingWithRecording(h);
    h.chat.room('!other:test', [h.chat.botUserId, ALICE]);
    await h.say(ALICE, '!recordings', '!other:test');
    expect(h.chat.inRoom('!other:test').at(-1)?.text).toBe('In diesem Raum gibt es keine Aufzeichnungen.');
  });
});

describe('!purge', () => {
  it('is refused for non-admins and changes nothing', async () => {
    h = await createHarness();
    const { recordId } = await recordedMeetingWithRecording(h);
    h.sim.resetRequests();
    await h.say(ALICE, `!purge ${recordingRef(recordId)}`);
    expect(lastRoomText(h)).toBe('Das darf nur ein Admin.');
    await h.say(ALICE, '!purge --expired');
    expect(lastRoomText(h)).toBe('Das darf nur ein Admin.');
    expect(simState(h, recordId)).toBe('published');
    expect(callCounts(h).deleteRecordings ?? 0).toBe(0);
  });

  it('deletes one recording by its reference and reports exactly that', async () => {
    h = await createHarness();
    const a = await recordedMeetingWithRecording(h, 'Weekly sync');
    const b = await recordedMeetingWithRecording(h, 'Retro');
    await h.say(ADMIN, `!purge ${recordingRef(a.recordId)}`);
    const date = h.app.ctx.date(h.clock.now());
    const text = lastRoomText(h);
    expect(text).toContain(`Gelöscht (1): „Weekly sync“ vom ${date}.`);
    expect(text).not.toContain('Retro');
    expect(text).toContain('Papierkorb'); // BBB's delete is a soft delete: said plainly
    expect(simState(h, a.recordId)).toBe('deleted');
    expect(simState(h, b.recordId)).toBe('published');
    expect(botState(h, a.recordId)).toBe('purged');
    const audit = h.app.ctx.stores.audit.forMeeting(a.meetingId);
    expect(audit.find((x) => x.action === 'recording.purged')).toMatchObject({
      actorId: ADMIN,
      details: { recordId: a.recordId, reason: 'admin' },
    });
  });

  it('deletes every recording of a meeting by meeting reference', async () => {
    h = await createHarness();
    const a = await recordedMeetingWithRecording(h, 'Weekly sync');
    const b = await recordedMeetingWithRecording(h, 'Retro');
    await h.say(ADMIN, `!purge #${b.meetingId}`);
    expect(lastRoomText(h)).toContain('Gelöscht (1): „Retro“');
    expect(simState(h, b.recordId)).toBe('deleted');
    expect(simState(h, a.recordId)).toBe('published');
  });

  it('reports what BBB did not delete, and why', async () => {
    h = await createHarness();
    const { recordId } = await recordedMeetingWithRecording(h);
    h.sim.faults.set({ dropDeletes: true });
    await h.say(ADMIN, `!purge ${recordingRef(recordId)}`);
    const text = lastRoomText(h);
    expect(text).toContain('Nichts gelöscht.');
    expect(text).toContain('Nicht gelöscht (1): „Weekly sync“');
    expect(text).toContain('still listed by BBB');
    expect(botState(h, recordId)).toBe('purge-pending');
    expect(simState(h, recordId)).toBe('published');
  });

  it('--expired deletes exactly the expired ones (and pending retries) and lists them', async () => {
    h = await createHarness({ retention: { recordingDays: 10 } });
    const old = await recordedMeetingWithRecording(h, 'Old sync');
    const oldDate = h.app.ctx.date(h.clock.now());
    h.clock.advance(8 * DAY);
    const young = await recordedMeetingWithRecording(h, 'Young sync');
    h.clock.advance(3 * DAY);

    await h.say(ADMIN, '!purge --expired');
    const text = lastRoomText(h);
    expect(text).toContain(`Gelöscht (1): „Old sync“ vom ${oldDate}.`);
    expect(text).not.toContain('Young sync');
    expect(text).not.toContain('Nicht gelöscht');
    expect(simState(h, old.recordId)).toBe('deleted');
    expect(simState(h, young.recordId)).toBe('published');

    await h.say(ADMIN, '!purge --expired');
    expect(lastRoomText(h)).toBe('Keine abgelaufenen Aufzeichnungen.');
  });

  it('--expired with BBB failing lists the failures and keeps them pending', async () => {
    h = await createHarness({ retention: { recordingDays: 1 } });
    const { recordId } = await recordedMeetingWithRecording(h);
    h.clock.advance(2 * DAY);
    h.sim.faults.set({ http500: ['deleteRecordings'] });
    await h.say(ADMIN, '!purge --expired');
    expect(lastRoomText(h)).toContain('Nichts gelöscht.');
    expect(lastRoomText(h)).toContain('Nicht gelöscht (1)');
    expect(botState(h, recordId)).toBe('purge-pending');
    h.sim.faults.clear();
    await h.say(ADMIN, '!purge --expired');
    expect(lastRoomText(h)).toContain('Gelöscht (1)');
    expect(simState(h, recordId)).toBe('deleted');
  });

  it('answers usage for wrong input', async () => {
    h = await createHarness();
    await h.say(ADMIN, '!purge');
    expect(lastRoomText(h)).toContain('Aufruf:');
    await h.say(ADMIN, '!purge nosuchrecording');
    expect(lastRoomText(h)).toBe('In diesem Raum gibt es keine Aufzeichnungen.');
  });
});

describe('!mydata', () => {
  it('answers by direct message when others are in the room', async () => {
    h = await createHarness();
    const { meetingId } = await recordedMeetingWithRecording(h);
    await h.say(ALICE, '!mydata');
    expect(lastRoomText(h)).toBe('Ich habe dir die Auskunft per Direktnachricht geschickt.');
    expect(h.chat.inRoom(ROOM).some((m) => m.text.includes('Auskunft (Art. 15 DSGVO)'))).toBe(false);
    const dm = h.chat.dmOf(ALICE).at(-1)?.text ?? '';
    expect(dm).toContain(`Auskunft (Art. 15 DSGVO) über ${ALICE}`);
    expect(dm).toContain(`#${meetingId} Weekly sync`);
    expect(dm).toContain('Zustimmung am');
    expect(dm).toContain('Zugestellte Zugangslinks: 1');
  });

  it('answers in place when the sender is alone with the bot', async () => {
    h = await createHarness();
    h.chat.room('!alone:test', [h.chat.botUserId, BOB]);
    await h.say(BOB, '!mydata', '!alone:test');
    expect(h.chat.inRoom('!alone:test').at(-1)?.text).toContain(`Auskunft (Art. 15 DSGVO) über ${BOB}`);
  });
});

describe('a long !purge', () => {
  it('shows its progress in one message that ends at the total, then reports', async () => {
    h = await createHarness();
    const { meetingId } = await recordedMeetingWithRecording(h, 'Long series');
    const session = h.app.ctx.stores.meetings.sessions(meetingId)[0]!;
    // The same BBB meeting recorded 119 more times (e.g. a series that was never purged).
    h.sim.seedRecordings(
      Array.from({ length: 119 }, () => ({ meetingID: session.bbbMeetingId, name: 'Long series' })),
    );
    await h.app.discovery.discoverAll();
    expect(h.app.ctx.stores.recordings.ofMeeting(meetingId)).toHaveLength(120);

    await h.say(ADMIN, `!purge #${meetingId}`);
    const progress = h.chat.inRoom(ROOM).find((m) => m.text.startsWith('Lösche'));
    expect(progress?.text).toBe('Lösche … 50/120');
    expect(h.chat.current(progress!.eventId)).toBe('Lösche … 120/120');
    expect(lastRoomText(h)).toContain('Gelöscht (120)');
    expect(h.sim.recordings().filter((r) => r.meetingID === session.bbbMeetingId)).toHaveLength(0);
  });
});
