// Shared steps for the recordings and withdrawal integration tests: a recorded meeting that really
// ran in the BBB simulator (a join sets the auto-start mark), ended, and discovered by the bot.
import { expect } from 'vitest';
import type { SubjectAccess } from '../../../src/app/subject-access.js';
import type { SessionRow } from '../../../src/db/meetings-store.js';
import { ALICE, BOB, CAROL, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';

export const DAY = 24 * 60 * 60 * 1000;

/** The newest meeting of the room (commands create them with increasing IDs). */
export function lastMeetingId(h: Harness): number {
  const ids = h.app.ctx.stores.meetings.inRoom(ROOM).map((m) => m.id);
  const id = Math.max(...ids);
  if (!Number.isFinite(id)) throw new Error('no meeting in the room');
  return id;
}

export function currentSession(h: Harness, meetingId: number): SessionRow {
  const s = h.app.ctx.stores.meetings.currentSession(meetingId);
  if (!s) throw new Error(`meeting ${meetingId} has no current session`);
  return s;
}

/** The links matching `pattern` (the join URLs by default) this person received by DM, oldest first. */
export function dmLinks(h: Harness, userId: string, pattern = /https?:\/\/\S+\/join\?\S+/): string[] {
  return h.chat
    .dmOf(userId)
    .map((m) => pattern.exec(m.text)?.[0])
    .filter((u): u is string => u !== undefined);
}
export const joinLinks = (h: Harness, userId: string): string[] => dmLinks(h, userId);

/** Plans a meeting, everyone agrees: it opens recorded. Returns the meeting ID. */
export async function openRecordedMeeting(
  h: Harness,
  title = 'Weekly sync',
  invitees: string[] = [ALICE, BOB],
): Promise<number> {
  const { id } = await h.plan(`${title} ${invitees.join(' ')}`, ORGANIZER, ...invitees);
  const session = currentSession(h, id);
  expect(session.record).toBe(true);
  expect(session.confirmedAt).not.toBeNull();
  return id;
}

/** Someone enters through their personal link: auto-start sets a recording mark in the simulator. */
export async function joinAs(h: Harness, userId: string): Promise<void> {
  const link = joinLinks(h, userId).at(-1);
  if (!link) throw new Error(`${userId} has no join link`);
  const outcome = await h.sim.simulateJoin(link);
  expect(outcome.ok).toBe(true);
}

/** A recorded meeting the organizer joined (so BBB records): its ID and its running session. */
export async function joinedRecordedMeeting(
  h: Harness,
  title?: string,
  invitees?: string[],
): Promise<{ id: number; session: SessionRow }> {
  const id = await openRecordedMeeting(h, title, invitees);
  await joinAs(h, ORGANIZER);
  return { id, session: currentSession(h, id) };
}

/** A recorded meeting whose session ran and ended (everyone left), its recording processed by BBB. */
export async function endedRecordedMeeting(h: Harness): Promise<{ id: number; session: SessionRow }> {
  const meeting = await joinedRecordedMeeting(h);
  h.sim.endMeeting(meeting.session.bbbMeetingId);
  await h.sim.finishProcessing();
  return meeting;
}

/**
 * Everyone leaves the running session; the discovery job notices the end and finds the recording
 * (processing is instant in the harness). Returns BBB's record ID.
 */
export async function endAndDiscover(h: Harness, meetingId: number): Promise<string> {
  const session = currentSession(h, meetingId);
  h.sim.endMeeting(session.bbbMeetingId);
  await h.sim.finishProcessing();
  await h.app.discovery.closeEndedMeetings();
  await h.app.discovery.discoverAll();
  await h.app.playback.idle();
  const rows = h.app.ctx.stores.recordings.ofSession(session.id);
  expect(rows).toHaveLength(1);
  return rows[0]!.recordId;
}

/** A recorded meeting that ran and whose recording the bot knows. */
export async function recordedMeetingWithRecording(
  h: Harness,
  title?: string,
  invitees?: string[],
): Promise<{ meetingId: number; recordId: string }> {
  const { id: meetingId } = await joinedRecordedMeeting(h, title, invitees);
  const recordId = await endAndDiscover(h, meetingId);
  return { meetingId, recordId };
}

/** The simulator's state of one recording (soft-deleted ones included). */
export function simState(h: Harness, recordId: string): string | undefined {
  return h.sim.recordings({ includeDeleted: true }).find((r) => r.recordID === recordId)?.state;
}

export function botState(h: Harness, recordId: string): string | undefined {
  return h.app.ctx.stores.recordings.get(recordId)?.state;
}

/** Messages the bot sent to the meeting room, newest last (edits applied). */
export function roomTexts(h: Harness): string[] {
  return h.chat.inRoom(ROOM).map((m) => h.chat.current(m.eventId));
}

export const lastRoomText = (h: Harness): string => roomTexts(h).at(-1) ?? '';

/** Counts the simulator's API requests by call name. */
export function callCounts(h: Harness): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of h.sim.requests()) counts[r.call] = (counts[r.call] ?? 0) + 1;
  return counts;
}

/** Every row of every table of the bot's database, as text (SQLite's own tables aside). */
export function everyRow(h: Harness): { table: string; row: string; values: Record<string, unknown> }[] {
  const sqlite = h.app.ctx.stores.db.$client;
  const tables = sqlite
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
    .all() as { name: string }[];
  return tables.flatMap(({ name }) =>
    (sqlite.prepare(`select * from "${name}"`).all() as Record<string, unknown>[]).map((row) => ({
      table: name,
      row: JSON.stringify(row),
      values: row,
    })),
  );
}

export function tablesNaming(h: Harness, ...needles: string[]): string[] {
  return [
    ...new Set(
      everyRow(h)
        .filter(({ row }) => needles.some((n) => row.includes(n)))
        .map(({ table }) => table),
    ),
  ];
}

/** The tables that can hold something naming a person. */
export const EVERY_TABLE_NAMING_A_PERSON = [
  'invitees',
  'consent_events',
  'link_deliveries',
  'intents',
  'audit_log',
  'direct_rooms',
  'dm_prompts',
  'kv',
  'room_notes',
];

/**
 * Puts `userId` (who must be one of the harness's people besides the organizer) in every table that
 * can name a person, with private prompts: a meeting they could not be asked about at first (a note),
 * then a recorded one they agreed to, joined and got the playback link of, and a `!mydata`.
 */
export async function fillEveryTableFor(h: Harness, userId: string): Promise<{ recordId: string }> {
  const store = h.app.ctx.stores;
  const other = userId === BOB ? ALICE : BOB;
  h.chat.unreachable.add(userId);
  const { id: never } = await h.plan(`Someday ${userId} ${other}`);
  h.chat.unreachable.delete(userId);
  await h.app.tick();
  expect(store.meetings.dmPrompt(never, userId)).toBeDefined();

  const { id: recorded } = await h.plan(`Weekly sync ${userId}`);
  for (const user of [ORGANIZER, userId]) {
    const prompt = store.meetings.dmPrompt(recorded, user)!;
    await h.react(user, prompt.eventId, '✅', prompt.roomId);
  }
  await joinAs(h, userId);
  const recordId = await endAndDiscover(h, recorded);
  expect(store.state.read(`playback-sent:${recordId}:${userId}`)).toBeDefined();
  await h.say(userId, '!mydata');
  return { recordId };
}

/**
 * Puts `userId` in the rows that name a person for what they did about others: they plan a meeting
 * with a guest (the name they typed), invite someone, and, as an admin (the harness must list them),
 * withdraw for a person and for the guest. The first layers of their meeting name them as organizer.
 */
export async function fillOtherRolesFor(h: Harness, userId: string): Promise<{ meetingId: number }> {
  const other = userId === BOB ? ALICE : BOB;
  await h.say(userId, `!meeting Planning ${other} --guest "Erika Muster"`);
  const meetingId = lastMeetingId(h);
  expect(h.app.ctx.stores.meetings.get(meetingId)?.organizerId).toBe(userId);
  await h.say(userId, `!invite #${meetingId} ${CAROL}`);
  await h.say(userId, `!withdraw ${other} #${meetingId}`);
  await h.say(userId, `!withdraw --guest "Erika Muster" #${meetingId}`);
  const actedFor = h.app.ctx.stores.meetings
    .consentEvents(meetingId)
    .filter((e) => e.actorId === userId && e.userId !== userId);
  expect(actedFor.map((e) => e.kind)).toEqual(['withdraw', 'withdraw']);
  return { meetingId };
}

/**
 * Whether a `!mydata` copy reflects one database row naming `userId` (as the person, or as who
 * added, organized or acted). The notice text is left out: it names the admins the configuration
 * lists, is the published text, and `!notice` sends it.
 */
export function copyReflects(
  copy: SubjectAccess,
  userId: string,
  table: string,
  row: Record<string, unknown>,
): boolean {
  const meeting = (id: unknown) => copy.meetings.find((m) => m.id === id);
  const theirs = row.user_id === userId;
  switch (table) {
    case 'meetings':
      return row.organizer_id === userId && !!meeting(row.id)?.organizer;
    case 'invitees':
      return theirs
        ? meeting(row.meeting_id)?.displayName === row.display_name
        : copy.forOthers.invited.some((i) => i.meetingId === row.meeting_id && i.userId === row.user_id);
    case 'guests':
      return copy.forOthers.invited.some((i) => i.userId === row.id && i.guestName === row.display_name);
    case 'consent_events':
      return theirs
        ? !!meeting(row.meeting_id)?.answers.some(
            (a) =>
              a.id === row.id && a.answer === row.kind && a.consentTextVersion === row.consent_text_sha256,
          )
        : copy.forOthers.answersRecorded.some((a) => a.id === row.id && a.answer === row.kind);
    case 'consent_texts':
      return copy.meetings.some((m) =>
        m.consentTexts.some((t) => t.sha256 === row.sha256 && t.text === row.text),
      );
    case 'link_deliveries':
      return copy.meetings.some((m) => m.linksSent.some((l) => l.sessionId === row.session_id));
    case 'intents':
      return copy.pendingTasks.some((t) => t.id === row.id);
    case 'audit_log':
      return copy.auditEntries.some((a) => a.id === row.id && a.action === row.action);
    case 'direct_rooms':
      return copy.directRoom?.roomId === row.room_id;
    case 'dm_prompts':
      return meeting(row.meeting_id)?.privatePrompt?.eventId === row.event_id;
    case 'kv': {
      const recordId = /^playback-sent:(.+):@/.exec(String(row.key))?.[1];
      return copy.meetings.some((m) =>
        m.recordings.some((r) => r.recordId === recordId && r.playbackLinkSentAt !== null),
      );
    }
    case 'room_notes':
      return copy.notes.some((n) => n.note === row.note && n.roomId === row.room_id);
    case 'notices':
      return true;
    default:
      return false;
  }
}
