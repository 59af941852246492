// Shared steps of the consent-gated meeting e2e tests: the bot process with a BBB simulator it reaches
// over HTTP, rooms with real users, planning a meeting, answering, and reading what users see.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, vi } from 'vitest';
import { formatDate } from '../../../src/i18n/index.js';
import { type BbbSimulator, type SimSession, startBbbSimulator } from '../../support/bbb-simulator.js';
import {
  around,
  directPrompt,
  escapeRegExp,
  GAP,
  joinLinkHeading,
  joinLinkRecording,
  noticeOpening,
  openedLine,
  plain,
  recordingOff,
  recordingOn,
  roomPrompt,
  said,
  t,
  tallyCount,
  tallyLine,
} from '../../support/catalogue.js';
import { type BotProcess, type DeepPartial, type E2eBotConfig, startBot } from './bot-process.js';
import {
  acceptNextInvite,
  type EventPredicate,
  editOf,
  type MatrixEvent,
  membership,
  messageFrom,
  named,
  type TestHomeserver,
  type TestUser,
  waitForEvent,
} from './homeserver.js';

/** Bot actions (a sync round trip, maybe a BBB call, maybe a DM room) get this much time. */
export const BOT_TIMEOUT_MS = 30_000;

export interface MeetingWorld {
  hs: TestHomeserver;
  botUser: TestUser;
  bot: BotProcess;
  sim: BbbSimulator;
  close(): Promise<void>;
}

/** Registers the bot's account, starts a BBB simulator and the bot process pointed at it. */
export async function startMeetingWorld(
  hs: TestHomeserver,
  opts: { config?: DeepPartial<E2eBotConfig>; env?: Record<string, string> } = {},
): Promise<MeetingWorld> {
  const botUser = await hs.registerUser('meetbot', { displayName: 'Meeting Bot' });
  const secret = randomBytes(16).toString('hex');
  const sim = await startBbbSimulator({ secret, processingDelayMs: 200 });
  let bot: BotProcess;
  try {
    bot = await startBot({
      homeserverUrl: hs.url,
      botUser,
      ...(opts.env ? { env: opts.env } : {}),
      config: {
        ...opts.config,
        bbb: { url: sim.url, secret, checksumAlgorithm: 'sha256', ...opts.config?.bbb },
      },
    });
  } catch (err) {
    await sim.close();
    throw err;
  }
  return {
    hs,
    botUser,
    bot,
    sim,
    async close() {
      await bot.dispose({ keepFiles: process.env.E2E_KEEP_BOT_FILES === '1' });
      await sim.close();
    },
  };
}

/** Fresh users with readable display names ("Alice"), localparts from the lower-cased names. */
export async function registerPeople<const N extends readonly string[]>(
  hs: TestHomeserver,
  names: N,
): Promise<{ -readonly [K in keyof N]: TestUser }> {
  return Promise.all(
    names.map((name) => hs.registerUser(name.toLowerCase(), { displayName: name })),
  ) as never;
}

/**
 * The organizer creates a room with the bot and `members`; everyone joins. Resolves once the
 * organizer has seen every join (the bot checks mentioned users against the joined members).
 */
export async function createMeetingRoom(
  organizer: TestUser,
  botUserId: string,
  members: TestUser[],
  name = 'meeting room',
): Promise<string> {
  const roomId = await organizer.createRoom({ name, invite: [botUserId, ...members.map((m) => m.userId)] });
  await Promise.all(members.map((m) => acceptNextInvite(m, { from: organizer.userId })));
  for (const userId of [botUserId, ...members.map((m) => m.userId)]) {
    await waitForEvent(organizer, roomId, membership(userId, 'join'), {
      timeoutMs: BOT_TIMEOUT_MS,
      description: `${userId} joining the meeting room`,
    });
  }
  return roomId;
}

/** `names` freshly registered, in a new room with the bot that the first of them (the organizer) made. */
export async function peopleInRoom<const N extends readonly [string, ...string[]]>(
  w: MeetingWorld,
  names: N,
  roomName: string,
): Promise<{ people: { -readonly [K in keyof N]: TestUser }; roomId: string }> {
  const people = await registerPeople(w.hs, names);
  const [organizer, ...members] = people as TestUser[];
  return { people, roomId: await createMeetingRoom(organizer!, w.botUser.userId, members, roomName) };
}

/** The usual cast: Olga (organizer), Alice and Bob, freshly registered, in a new room with the bot. */
export type Cast = { olga: TestUser; alice: TestUser; bob: TestUser; roomId: string };
export async function olgaAliceBob(w: MeetingWorld, roomName: string): Promise<Cast> {
  const { people, roomId } = await peopleInRoom(w, ['Olga', 'Alice', 'Bob'], roomName);
  const [olga, alice, bob] = people;
  return { olga, alice, bob, roomId };
}

export function bodyOf(e: MatrixEvent): string {
  return typeof e.content.body === 'string' ? e.content.body : '';
}

function isEdit(e: MatrixEvent): boolean {
  const rel = e.content['m.relates_to'] as { rel_type?: string } | undefined;
  return rel?.rel_type === 'm.replace';
}

/** A message (not an edit) from `sender` whose body matches. */
export function postFrom(sender: string, contains: string | RegExp): EventPredicate {
  const base = messageFrom(sender, contains);
  return named(`${base.name} (not an edit)`, (e) => base(e) && !isEdit(e));
}

/** The prompt's first words up to its number, the number captured. */
const PROMPT_START = new RegExp(
  `^${escapeRegExp(roomPrompt({ id: 0, noRecord: true }).split('0')[0]!)}(\\d+) `,
);

/** The privacy notice the bot posts for a meeting. */
export const isNotice = (botId: string) => postFrom(botId, new RegExp(`^${escapeRegExp(noticeOpening)}`));
/** The consent prompt (also the live tally; edits excluded). */
export const isPrompt = (botId: string) => postFrom(botId, PROMPT_START);
/** The room announcement that a meeting opened. */
export const isOpened = (botId: string, title?: string) =>
  postFrom(botId, title === undefined ? new RegExp(escapeRegExp(around(openedLine)[1])) : openedLine(title));

/** The bot's answer to one command: a message replying to it. */
export function replyTo(botId: string, commandId: string): EventPredicate {
  return named(`reply of ${botId} to ${commandId}`, (e) => {
    const rel = e.content['m.relates_to'] as { 'm.in_reply_to'?: { event_id?: string } } | undefined;
    return (
      e.type === 'm.room.message' && e.sender === botId && rel?.['m.in_reply_to']?.event_id === commandId
    );
  });
}

/** An edit of the prompt by the bot whose new body contains `contains`. */
export function tallyEdit(botId: string, promptId: string, contains: string | RegExp): EventPredicate {
  const edit = editOf(promptId);
  return named(`tally edit of ${promptId} containing ${String(contains)}`, (e) => {
    if (e.sender !== botId || !edit(e)) return false;
    const fresh = e.content['m.new_content'] as { body?: unknown } | undefined;
    const b = typeof fresh?.body === 'string' ? fresh.body : '';
    return typeof contains === 'string' ? b.includes(contains) : contains.test(b);
  });
}

/**
 * Sends `!meeting <title> <invitees…> [extra]` and waits for the notice and the consent prompt;
 * `number`: the meeting number the prompt shows (#n).
 */
export async function planMeeting(
  organizer: TestUser,
  roomId: string,
  botId: string,
  title: string,
  invitees: TestUser[],
  extra = '',
) {
  const command = ['!meeting', title, ...invitees.map((u) => u.userId), extra].filter(Boolean).join(' ');
  const commandId = await organizer.sendText(roomId, command);
  const after = { afterEventId: commandId, timeoutMs: BOT_TIMEOUT_MS };
  const notice = await waitForEvent(organizer, roomId, isNotice(botId), after);
  const prompt = await waitForEvent(organizer, roomId, isPrompt(botId), after);
  const number = Number(PROMPT_START.exec(bodyOf(prompt))?.[1]);
  return { title, commandId, notice, prompt, number };
}

export function joinUrlIn(text: string): URL | null {
  const m = /https?:\/\/\S+\/api\/join\?\S+/.exec(text);
  return m ? new URL(m[0]) : null;
}

// One DM room per (bot, user): the bot reuses it for later links.
const dmRooms = new Map<string, string>();

/** The DM room with the bot: on first use, accepts the bot's invite to it. */
async function dmRoomWith(user: TestUser, botId: string, timeoutMs: number): Promise<string> {
  const key = `${botId} ${user.userId}`;
  let dmRoomId = dmRooms.get(key);
  if (!dmRoomId) {
    dmRoomId = await acceptNextInvite(user, { from: botId, timeoutMs });
    dmRooms.set(key, dmRoomId);
  }
  return dmRoomId;
}

/** The consent prompt in a DM room (consent.ask "direct"; edits excluded). */
export const isDirectPrompt = (botId: string) => postFrom(botId, DIRECT_PROMPT);
/** The direct prompt's first line with its number, title, organizer and time left open. */
const DIRECT_PROMPT = (() => {
  const first = directPrompt({ id: 0, title: GAP, organizer: plain(GAP) }).split('\n')[0]!;
  const [before = '', ...rest] = first.replace('0', GAP).split(GAP);
  return new RegExp(`^${escapeRegExp(before)}\\d+ .*${escapeRegExp(rest.at(-1)!)}`);
})();

type DmWait = { afterEventId?: string; timeoutMs?: number };

/**
 * Waits for the bot's next message to `user` in their DM room with it (after `afterEventId` when given)
 * that matches: on first use accepts the bot's invite to that room (later messages reuse it).
 */
async function dmFrom(user: TestUser, botId: string, match: EventPredicate, what: string, opts: DmWait) {
  const timeoutMs = opts.timeoutMs ?? BOT_TIMEOUT_MS;
  const dmRoomId = await dmRoomWith(user, botId, timeoutMs);
  const how = { ...opts, timeoutMs, description: `${user.userId}'s ${what}` };
  return { dmRoomId, event: await waitForEvent(user, dmRoomId, match, how) };
}

/** Waits for `user`'s next personal join link, by DM. */
export async function receiveLink(user: TestUser, botId: string, opts: DmWait = {}) {
  const { dmRoomId, event } = await dmFrom(user, botId, postFrom(botId, '/api/join?'), 'join link', opts);
  const url = joinUrlIn(bodyOf(event));
  if (!url) throw new Error(`no join URL in ${JSON.stringify(bodyOf(event))}`);
  return { dmRoomId, event, url };
}

/** Waits for the organizer's DM with guest links (design.md §3.11); returns the links in it. */
export async function receiveGuestLinks(organizer: TestUser, botId: string, opts: DmWait = {}) {
  const { event } = await dmFrom(organizer, botId, postFrom(botId, '/g/'), 'guest links', opts);
  return [...bodyOf(event).matchAll(/https?:\/\/\S+\/g\/[A-Za-z0-9_-]{43}/g)].map((m) => m[0]);
}

/** Waits for `user`'s next private consent prompt (consent.ask "direct"), by DM (the links come there). */
export async function receivePrompt(user: TestUser, botId: string, opts: DmWait = {}) {
  const { dmRoomId, event } = await dmFrom(user, botId, isDirectPrompt(botId), 'consent prompt by DM', opts);
  return { dmRoomId, prompt: event };
}

/** The DM room the bot opened for `user`, if receiveLink saw one. */
export function dmRoomOf(user: TestUser, botId: string): string | undefined {
  return dmRooms.get(`${botId} ${user.userId}`);
}

/** Checks the link names the user and role, then joins with it and checks the simulator saw them. */
export async function expectWorkingLink(
  sim: BbbSimulator,
  link: URL,
  user: TestUser,
  role: 'MODERATOR' | 'VIEWER',
): Promise<SimSession> {
  expect(link.searchParams.get('userID')).toBe(user.userId);
  expect(link.searchParams.get('role')).toBe(role);
  expect(link.searchParams.get('fullName')).toBe(user.displayName);
  const meetingID = link.searchParams.get('meetingID');
  const outcome = await sim.simulateJoin(link.toString());
  expect(outcome, `joining with ${user.userId}'s link`).toMatchObject({ ok: true });
  const session = sim.sessions().find((s) => s.meetingID === meetingID);
  expect(session, `BBB session ${meetingID}`).toBeDefined();
  expect(session!.joins.some((j) => j.userID === user.userId && j.role === role)).toBe(true);
  return session!;
}

/**
 * Each of `people` gets a personal link by DM (after `after[i]`, an earlier link's event, when given) that
 * lets them in: the first, the organizer, as moderator.
 */
export async function expectWorkingLinks(
  w: MeetingWorld,
  people: TestUser[],
  after: (string | undefined)[] = [],
) {
  const botId = w.botUser.userId;
  const links = await Promise.all(people.map((u, i) => receiveLink(u, botId, { afterEventId: after[i] })));
  for (const [i, u] of people.entries())
    await expectWorkingLink(w.sim, links[i]!.url, u, i === 0 ? 'MODERATOR' : 'VIEWER');
  return links;
}

/** The simulator's sessions created for a meeting title (titles are unique per test). */
export function sessionsNamed(sim: BbbSimulator, title: string): SimSession[] {
  return sim.sessions().filter((s) => s.name === title);
}

/** BBB has exactly one session for `title`, recording all of it (no start/stop button for anyone). */
export function expectRecordedSession(sim: BbbSimulator, title: string): SimSession {
  const sessions = sessionsNamed(sim, title);
  const recorded = { record: true, autoStartRecording: true, allowStartStopRecording: false };
  expect(sessions).toEqual([expect.objectContaining(recorded)]);
  return sessions[0]!;
}

/** Messages (not edits) seen so far by `user` in `roomId` that match. */
export function countSeen(user: TestUser, roomId: string, predicate: EventPredicate): number {
  return user.sync.eventsIn(roomId).filter(predicate).length;
}

/** No new invite from `from` reaches `user` within `timeoutMs`: the bot opens no DM with them. */
export async function expectNoInvite(user: TestUser, from: string, why: string, timeoutMs = 2_000) {
  await expect(user.sync.waitForInvite({ from, timeoutMs }), why).rejects.toThrow(/no new invite/);
}

/**
 * A barrier: `!ping` and its pong. The bot handles a room's events in timeline order of arrival, so
 * once the pong is seen, whatever the bot did in reaction to earlier events has been sent too
 * (for handlers that finish promptly).
 */
export async function pingBarrier(user: TestUser, roomId: string, botId: string): Promise<MatrixEvent> {
  const pingId = await user.sendText(roomId, '!ping');
  return waitForEvent(user, roomId, postFrom(botId, 'pong'), {
    afterEventId: pingId,
    timeoutMs: BOT_TIMEOUT_MS,
  });
}

/** `user` invites the bot to a new room `name`, waits for it to join, then `!ping`: the bot's pong. */
export async function pongInNewRoom(user: TestUser, botId: string, name: string): Promise<MatrixEvent> {
  const roomId = await user.createRoom({ invite: [botId], name });
  await waitForEvent(user, roomId, membership(botId, 'join'), { ...wait, description: 'the bot joining' });
  return pingBarrier(user, roomId, botId);
}

/** A date as the bot writes it with the e2e defaults (German, Europe/Berlin). */
export const botDate = (ms: number): string => formatDate('de', 'Europe/Berlin', ms);

/** Polls `probe` (state outside Matrix, e.g. the BBB simulator) until it yields something. */
export function until<T>(
  what: string,
  probe: () => T | undefined | null | false,
  timeoutMs = BOT_TIMEOUT_MS,
): Promise<T> {
  return vi.waitUntil(probe, { timeout: timeoutMs, interval: 100 }).catch(() => {
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }) as Promise<T>;
}

/**
 * Olga, Alice and Bob in a new room (or `room`, the cast in one); Olga plans `title` with both, she and
 * Alice answer ✅ and the tally shows it: only Bob's answer is missing. `aliceYes`: her reaction's ID.
 */
export async function awaitingBob(w: MeetingWorld, room: string | Cast, title: string) {
  const botId = w.botUser.userId;
  const { olga, alice, bob, roomId } = typeof room === 'string' ? await olgaAliceBob(w, room) : room;
  const m = await planMeeting(olga, roomId, botId, title, [alice, bob]);
  await olga.react(roomId, m.prompt.event_id, '✅');
  const aliceYes = await alice.react(roomId, m.prompt.event_id, '✅');
  await waitForEvent(olga, roomId, tallyEdit(botId, m.prompt.event_id, tallyCount('agreed', 2)), wait);
  return { olga, alice, bob, roomId, m, aliceYes };
}

/**
 * The usual prologue: Olga, Alice and Bob in a new room, Olga plans `title` with both, everyone answers
 * ✅, the room hears that the meeting opened, all get their personal links and the first `joining` of
 * them (Olga; Olga and Alice for 2) join: BBB runs the recorded session.
 */
export async function runningRecordedMeeting(w: MeetingWorld, title: string, joining = 1) {
  const botId = w.botUser.userId;
  const { olga, alice, bob, roomId } = await olgaAliceBob(w, title);
  const m = await planMeeting(olga, roomId, botId, title, [alice, bob]);
  for (const u of [olga, alice, bob]) await u.react(roomId, m.prompt.event_id, '✅');
  await waitForEvent(olga, roomId, isOpened(botId, title), wait);
  const links = await Promise.all([olga, alice, bob].map((u) => receiveLink(u, botId)));
  for (const link of links.slice(0, joining)) {
    expect(await w.sim.simulateJoin(link.url.toString())).toMatchObject({ ok: true });
  }
  return { olga, alice, bob, roomId, m, links, session: expectRecordedSession(w.sim, title) };
}

/** How long a test waits for the bot's answer (`waitForEvent(user, room, predicate, wait)`). */
export const wait = { timeoutMs: BOT_TIMEOUT_MS };

/**
 * `user` sends `text` in the room; resolves with the first event after it matching `predicate` (the
 * bot's answer), as `seenBy` (default: `user`) sees it.
 */
export async function ask(
  user: TestUser,
  roomId: string,
  text: string,
  predicate: EventPredicate,
  seenBy = user,
): Promise<MatrixEvent> {
  const afterEventId = await user.sendText(roomId, text);
  return waitForEvent(seenBy, roomId, predicate, { ...wait, afterEventId });
}

/** A recording's state in BBB (deleted ones included), by its record ID. */
export const recordingState = (sim: BbbSimulator, recordID: string) =>
  sim.recordings({ includeDeleted: true }).find((r) => r.recordID === recordID)?.state;

/** Waits until BBB lists the one recording of a session, as deleted. */
export function untilRecordingDeleted(sim: BbbSimulator, meetingID: string): Promise<unknown> {
  return until('the recording to be deleted in BBB', () => {
    const recs = sim.recordings({ includeDeleted: true }).filter((r) => r.meetingID === meetingID);
    return recs.length === 1 && recs[0]!.state === 'deleted';
  });
}

/** Rows the bot stored, read beside it (WAL: readers do not disturb it). */
export function storedRows<T>(w: MeetingWorld, sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(w.bot.dir, 'bot.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

// Whole consent flows that every kind of room must pass alike (an ordinary one, a version 12 one).

/** All agree: BBB records the whole meeting, everyone gets a personal link by DM, none in the room. */
export async function expectAllAgreeRecorded(
  w: MeetingWorld,
  { olga, alice, bob, roomId }: Cast,
  title: string,
) {
  const botId = w.botUser.userId;
  const m = await planMeeting(olga, roomId, botId, title, [alice, bob]);
  // One message with the notice, one prompt naming every invitee, seeded with ✅ and ❌.
  expect(bodyOf(m.notice)).toContain(`„${title}“`);
  for (const name of ['Olga', 'Alice', 'Bob']) expect(bodyOf(m.prompt)).toContain(name);
  expect(bodyOf(m.prompt)).toContain('✅');

  for (const u of [olga, alice, bob]) await u.react(roomId, m.prompt.event_id, '✅');

  const opened = await waitForEvent(olga, roomId, isOpened(botId, title), wait);
  expect(bodyOf(opened)).toContain(recordingOn(3));
  expect(bodyOf(opened)).toContain(said(t.meetingOpened(title, t.recordingOn(3), 'direct')));
  // The prompt shows the outcome too.
  await waitForEvent(olga, roomId, tallyEdit(botId, m.prompt.event_id, said(t.promptOpened(true))), wait);

  const session = expectRecordedSession(w.sim, title);

  const links = await expectWorkingLinks(w, [olga, alice, bob]);
  for (const link of links) {
    expect(bodyOf(link.event)).toContain(joinLinkRecording(true));
    expect(link.url.searchParams.get('meetingID')).toBe(session.meetingID);
  }
  expect(bodyOf(links[0]!.event)).toContain(joinLinkHeading(title, true));
  // Links are private: none was posted in the meeting room.
  expect(countSeen(olga, roomId, postFrom(botId, '/api/join?'))).toBe(0);
}

/** A ✅ redacted before opening counts as withdrawn: the meeting opens unrecorded, the prompt says so. */
export async function expectRedactedYesWithdrawn(w: MeetingWorld, cast: Cast, title: string) {
  const botId = w.botUser.userId;
  const { olga, alice, bob, roomId, m, aliceYes } = await awaitingBob(w, cast, title);
  await alice.redact(roomId, aliceYes); // from room version 11 on, `redacts` is inside content
  await waitForEvent(
    olga,
    roomId,
    tallyEdit(botId, m.prompt.event_id, tallyLine('withdrawn', ['Alice'])),
    wait,
  );
  expect(sessionsNamed(w.sim, title)).toHaveLength(0);

  await bob.react(roomId, m.prompt.event_id, '✅');
  const opened = await waitForEvent(olga, roomId, isOpened(botId, title), wait);
  expect(bodyOf(opened)).toContain(recordingOff(['withdrew', 'Alice']));
  expect(sessionsNamed(w.sim, title).map((s) => s.record)).toEqual([false]);
  await waitForEvent(olga, roomId, tallyEdit(botId, m.prompt.event_id, said(t.promptOpened(false))), wait);
}
