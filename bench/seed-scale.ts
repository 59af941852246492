// Seeding for the idle-memory bench at scale: a bot account that is a member of many rooms on the real
// Synapse, and a bot database holding a year of meetings in those rooms, written through the project's
// own stores (migrations, MeetingsStore, RecordingsStore, OutboxStore, AuditStore, BotStateStore), as
// the lifecycle would have left them.
//
// The rooms: each has an organizer and two more people from a small pool (with their own devices and
// keys when the rooms are encrypted, as Element users would have), and the bot, joined. The meetings:
// spread evenly over the last `spanDays` days, round-robin over the rooms; most opened recorded after
// everyone agreed, some unrecorded after a decline, some with `--no-record`, a few cancelled; each with
// its consent ledger, sessions, link deliveries, audit trail; recorded ones with a recording, purged
// once its retention ran out, still available if not. The meetings that the bot re-reads at start (those
// whose recording still exists, design.md §3.8) get real prompts and real ✅ reactions by their three
// people, so the start-up reconciliation finds on the homeserver what the database says: with private
// prompts (consent.ask "direct", the default) one prompt in each person's DM room with the bot, answered
// there, and the room's prompt showing counts; with room prompts one prompt in the room, answered there.
import { randomBytes } from 'node:crypto';
import { parseConfig } from '../src/config/load.js';
import { openDatabase } from '../src/db/open.js';
import { createStores } from '../src/db/stores.js';
import { loadNotice } from '../src/notice.js';
import { CryptoUser } from '../test/e2e/support/crypto-user.js';
import type { TestHomeserver, TestUser } from '../test/e2e/support/homeserver.js';
import { registerPeople } from '../test/e2e/support/meeting-helpers.js';
import { SAMPLE_NOTICE_FACTS } from '../test/support/notice-facts.js';

const DAY = 24 * 60 * 60 * 1000;
const MIN = 60 * 1000;
/** A meeting opens this long after it was planned (its recording's retention counts from then). */
const OPENS_AFTER = 5 * MIN;
const NAMES = [
  'Olga',
  'Alice',
  'Bob',
  'Carla',
  'David',
  'Emil',
  'Frieda',
  'Gustav',
  'Hanna',
  'Ines',
  'Jonas',
  'Kai',
];

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
) {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface SeededRoom {
  roomId: string;
  /** Organizer first, then the two other people. */
  people: TestUser[];
}

export interface SeededRooms {
  rooms: SeededRoom[];
  people: TestUser[];
  /** Each person's direct-message room with the bot (where join links went). */
  directRooms: Map<string, string>;
}

/**
 * `count` rooms, each created by one person with the bot and two more people invited; everyone joins
 * (the bot too, through its own account, as if it had accepted the invites long ago).
 */
export async function seedRooms(
  hs: TestHomeserver,
  bot: TestUser,
  opts: { count: number; encrypted: boolean; devices?: boolean; concurrency?: number },
): Promise<SeededRooms> {
  const concurrency = opts.concurrency ?? 16;
  const people = await registerPeople(hs, NAMES);
  if (opts.encrypted || opts.devices) {
    // A device with keys per person, as their clients would have uploaded: the bot encrypts for them.
    const clients = await mapLimit(people, 4, (p) => CryptoUser.start(p));
    for (const c of clients) c.stop();
  }
  const n = people.length;
  const rooms = await mapLimit(
    Array.from({ length: opts.count }, (_, i) => i),
    concurrency,
    async (i) => {
      const members = [people[i % n]!, people[(i + 1) % n]!, people[(i + 5) % n]!];
      const [organizer, ...others] = members as [TestUser, TestUser, TestUser];
      const roomId = await organizer.createRoom({
        name: `Team ${i + 1}`,
        encrypted: opts.encrypted,
        invite: [bot.userId, ...others.map((o) => o.userId)],
      });
      for (const u of [bot, ...others]) await u.join(roomId);
      return { roomId, people: members };
    },
  );
  const directRooms = new Map<string, string>();
  await mapLimit(people, concurrency, async (p) => {
    const roomId = await bot.createRoom({ isDirect: true, encrypted: opts.encrypted, invite: [p.userId] });
    await p.join(roomId);
    directRooms.set(p.userId, roomId);
  });
  return { rooms, people, directRooms };
}

/** Switches every seeded room (and the DM rooms) to end-to-end encryption, as a room admin would. */
export async function encryptRooms(seeded: SeededRooms, bot: TestUser, concurrency = 16): Promise<void> {
  const content = { algorithm: 'm.megolm.v1.aes-sha2' };
  const state = (u: TestUser, roomId: string) =>
    u.request(
      'PUT',
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.encryption/`,
      content,
    );
  await mapLimit(seeded.rooms, concurrency, (r) => state(r.people[0]!, r.roomId));
  await mapLimit([...seeded.directRooms.values()], concurrency, (roomId) => state(bot, roomId));
}

const fakeEventId = () => `$${randomBytes(32).toString('base64url')}`;
const recordId = (at: number) => `${randomBytes(20).toString('hex')}-${at}`;

type Kind = 'recorded' | 'declined' | 'no-record' | 'cancelled';
/** Out of 20 meetings: 13 recorded, 4 unrecorded after a decline, 2 with --no-record, 1 cancelled. */
function kindOf(i: number): Kind {
  const k = i % 20;
  return k === 0 ? 'cancelled' : k <= 2 ? 'no-record' : k <= 6 ? 'declined' : 'recorded';
}

export interface SeedStats {
  meetings: number;
  rooms: number;
  recordings: { available: number; purged: number };
  /** Meetings with a real prompt and real reactions on the homeserver (reconciled at start). */
  reconciled: number;
  /** Posting those prompts and reactions. */
  postMs: number;
  /** Writing the database. */
  writeMs: number;
}

/**
 * Writes `count` meetings into a new bot database at `dbPath`, the newest `now`, spread over `spanDays`
 * (inside the evidence retention, so nothing is due for pruning). Recordings older than
 * `recordingDays` are purged; the younger ones get their prompt and reactions posted for real.
 */
export async function seedMeetings(
  dbPath: string,
  seeded: SeededRooms,
  bot: TestUser,
  opts: {
    count: number;
    now: number;
    spanDays?: number;
    recordingDays?: number;
    concurrency?: number;
    /** Where consent was asked (default "direct", as the bot's default). */
    prompts?: 'direct' | 'room';
  },
): Promise<SeedStats> {
  const direct = (opts.prompts ?? 'direct') === 'direct';
  const spanDays = opts.spanDays ?? 360;
  const recordingDays = opts.recordingDays ?? 30;
  const config = parseConfig(
    {
      matrix: { homeserverUrl: bot.homeserverUrl, accessToken: 'unused' },
      bbb: { url: 'http://127.0.0.1:9/bigbluebutton/', secret: 'unused-secret-0123456789' },
      database: { path: dbPath },
      notice: SAMPLE_NOTICE_FACTS,
    },
    'bench-seed',
    {},
  );
  const notice = loadNotice(config.notice[config.language], config.language, config);
  const db = openDatabase(dbPath);
  const stores = createStores(db);
  const { rooms } = seeded;
  const step = (spanDays * DAY) / opts.count;
  const createdAt = (i: number) => Math.round(opts.now - spanDays * DAY + i * step);
  // Recorded meetings whose recording is not purged yet: real prompts and ✅ on the homeserver
  // (with private prompts, `dm` holds each person's prompt, in the person's order).
  const live = new Map<number, { promptId: string; reactions: string[]; dm: string[] }>();
  const liveIdx = Array.from({ length: opts.count }, (_, i) => i).filter(
    (i) => kindOf(i) === 'recorded' && createdAt(i) + OPENS_AFTER + recordingDays * DAY > opts.now,
  );
  let t = performance.now();
  await mapLimit(liveIdx, opts.concurrency ?? 16, async (i) => {
    const room = rooms[i % rooms.length]!;
    const promptId = await bot.sendText(
      room.roomId,
      `Besprechung #${i + 1} „Weekly ${i + 1}“ – Aufzeichnung nur, wenn alle zustimmen. ✅ zustimmen, ❌ ablehnen.`,
    );
    if (!direct) {
      const reactions = await Promise.all(room.people.map((p) => p.react(room.roomId, promptId, '✅')));
      live.set(i, { promptId, reactions, dm: [] });
      return;
    }
    const asked = await Promise.all(
      room.people.map(async (p) => {
        const dmRoom = seeded.directRooms.get(p.userId)!;
        const dm = await bot.sendText(
          dmRoom,
          `Besprechung #${i + 1} „Weekly ${i + 1}“: ✅ zustimmen, ❌ ablehnen.`,
        );
        return { dm, reaction: await p.react(dmRoom, dm, '✅') };
      }),
    );
    live.set(i, { promptId, reactions: asked.map((a) => a.reaction), dm: asked.map((a) => a.dm) });
  });

  const postMs = performance.now() - t;
  t = performance.now();
  let available = 0;
  let purged = 0;
  const batch = 250;
  for (let from = 0; from < opts.count; from += batch) {
    db.$client.transaction(() => {
      for (let i = from; i < Math.min(opts.count, from + batch); i++) {
        const kind = kindOf(i);
        const room = rooms[i % rooms.length]!;
        const [organizer, ...others] = room.people as [TestUser, TestUser, TestUser];
        const t0 = createdAt(i);
        const everyone = room.people.map((p) => ({ userId: p.userId, displayName: p.displayName }));
        const meeting = stores.meetings.create(
          {
            roomId: room.roomId,
            title: `Weekly ${i + 1}`,
            organizerId: organizer.userId,
            noRecord: kind === 'no-record',
            language: 'de',
            notice: { sha256: notice.sha256, text: notice.text },
            commandEventId: fakeEventId(),
            scheduledAt: null,
            invitees: everyone,
            consentAsk: direct ? 'direct' : 'room',
          },
          t0,
        )!;
        const id = meeting.id;
        stores.audit.append({
          at: t0,
          actorId: organizer.userId,
          action: 'meeting.planned',
          meetingId: id,
          details: {
            invitees: everyone.map((e) => e.userId),
            noRecord: kind === 'no-record',
            scheduledAt: null,
            notice: notice.sha256,
          },
        });
        const real = live.get(i);
        stores.meetings.setPosted(id, {
          noticeEventId: fakeEventId(),
          promptEventId: real?.promptId ?? fakeEventId(),
        });
        if (direct && kind !== 'no-record') {
          room.people.forEach((p, k) => {
            stores.meetings.setDmPrompt(
              {
                meetingId: id,
                userId: p.userId,
                roomId: seeded.directRooms.get(p.userId)!,
                eventId: real?.dm[k] ?? fakeEventId(),
              },
              t0,
            );
          });
        }
        if (kind === 'cancelled') {
          stores.meetings.setState(id, 'cancelled', { closedAt: t0 + 20 * MIN });
          stores.audit.append({
            at: t0 + 20 * MIN,
            actorId: organizer.userId,
            action: 'meeting.cancelled',
            meetingId: id,
          });
          continue;
        }
        if (kind !== 'no-record') {
          room.people.forEach((p, k) => {
            const declines = kind === 'declined' && k === 2;
            const eventId = real?.reactions[k] ?? fakeEventId();
            const at = t0 + (k + 1) * MIN;
            stores.meetings.appendConsent({
              meetingId: id,
              userId: p.userId,
              kind: declines ? 'decline' : 'agree',
              at,
              matrixEventId: eventId,
              reactionEventId: eventId,
              noticeSha256: notice.sha256,
              actorId: p.userId,
              source: 'reaction',
            });
            stores.audit.append({
              at,
              actorId: p.userId,
              action: declines ? 'consent.decline' : 'consent.agree',
              meetingId: id,
              subjectId: p.userId,
              details: { eventId, key: declines ? '❌' : '✅', source: 'reaction', notice: notice.sha256 },
            });
          });
        }
        const record = kind === 'recorded';
        const opened = t0 + OPENS_AFTER;
        const trigger = kind === 'no-record' ? 'no-record' : 'all-answered';
        stores.meetings.setState(id, 'open', { openedAt: opened, openedBy: trigger });
        stores.audit.append({
          at: opened,
          actorId: others[1]!.userId,
          action: 'meeting.opened',
          meetingId: id,
          details: { trigger, record },
        });
        const session = stores.meetings.insertSession({
          meetingId: id,
          bbbMeetingId: `meetbot-${id}-${randomBytes(6).toString('hex')}`,
          record,
          now: opened,
          announcedAt: null,
        });
        stores.audit.append({
          at: opened,
          actorId: bot.userId,
          action: 'session.planned',
          meetingId: id,
          details: { sessionId: session.id, record },
        });
        const ended = opened + 60 * MIN;
        stores.meetings.updateSession(session.id, {
          state: 'ended',
          internalMeetingId: `${randomBytes(20).toString('hex')}-${opened + 500}`,
          createTime: String(opened + 500),
          confirmedAt: opened + 500,
          announcedAt: opened + 700,
          endedAt: ended,
          endReason: 'ended',
        });
        stores.audit.append({
          at: opened + 500,
          actorId: bot.userId,
          action: 'session.created',
          meetingId: id,
          details: { sessionId: session.id },
        });
        for (const p of room.people) {
          const intent = stores.outbox.add(
            { kind: 'deliver-link', meetingId: id, sessionId: session.id, userId: p.userId },
            opened + 500,
          );
          stores.meetings.recordDelivery(
            session.id,
            p.userId,
            seeded.directRooms.get(p.userId)!,
            opened + 900,
          );
          stores.outbox.done(intent.id, opened + 900, 'confirmed');
        }
        stores.meetings.setState(id, 'closed', { closedAt: ended });
        stores.audit.append({
          at: ended,
          actorId: bot.userId,
          action: 'session.ended',
          meetingId: id,
          details: { sessionId: session.id },
        });
        stores.audit.append({ at: ended, actorId: bot.userId, action: 'meeting.closed', meetingId: id });
        if (!record) continue;
        const rid = recordId(opened + 500);
        const ready = ended + 30 * MIN;
        const deleteAfter = opened + recordingDays * DAY;
        stores.recordings.discover({
          recordId: rid,
          sessionId: session.id,
          meetingId: id,
          state: 'available',
          startTime: opened + 500,
          deleteAfter,
          now: ready,
        });
        stores.audit.append({
          at: ready,
          actorId: bot.userId,
          action: 'recording.discovered',
          meetingId: id,
          details: { recordId: rid, state: 'available' },
        });
        stores.recordings.markAnnounced(rid, ready);
        for (const p of room.people) {
          stores.state.write(`playback-sent:${rid}:${p.userId}`, String(ready + 1000));
          stores.audit.append({
            at: ready + 1000,
            actorId: bot.userId,
            action: 'recording.link-sent',
            meetingId: id,
            subjectId: p.userId,
            details: { recordId: rid },
          });
        }
        if (deleteAfter <= opts.now) {
          stores.recordings.requestPurge([rid], 'retention', deleteAfter);
          stores.recordings.markPurged([rid], deleteAfter + 5 * MIN);
          stores.audit.append({
            at: deleteAfter + 5 * MIN,
            actorId: bot.userId,
            action: 'recording.purged',
            meetingId: id,
            details: { recordId: rid, reason: 'retention' },
          });
          purged++;
        } else available++;
      }
    })();
  }
  for (const [userId, roomId] of seeded.directRooms)
    stores.state.setDirectRoom(userId, roomId, opts.now - spanDays * DAY);
  db.$client.close();
  return {
    meetings: opts.count,
    rooms: rooms.length,
    recordings: { available, purged },
    reconciled: live.size,
    postMs,
    writeMs: performance.now() - t,
  };
}
