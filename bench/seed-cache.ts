// The seeded world at scale (bench/seed-scale.ts), kept between runs: seeding 1,000 rooms is most of a
// bench run, and the rooms stay on the Synapse anyway. One entry per set of seed parameters (rooms,
// meetings, where consent is asked, plain or encrypted rooms) and homeserver, in
// `~/.cache/meetbot-bench/<key>/` (`$XDG_CACHE_HOME/meetbot-bench` when set; BENCH_CACHE=<folder> puts it
// elsewhere):
// world.json (the accounts with their tokens, the rooms, the DM rooms, the seeding figures) and
// template.db (the bot's database as seeded; each run works on a copy).
//
// An entry is used only if the homeserver still knows it: the bot's and one person's token still
// work and the bot is still in the first and the last room (a reset Synapse has none of them). It is
// also seeded anew once older than a day, since the meetings' times (and the recordings due for
// deletion) are relative to when it was seeded. `BENCH_RESEED=1` seeds anew; `rm -rf ~/.cache/meetbot-bench`
// clears every entry.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type TestHomeserver, TestUser } from '../test/e2e/support/homeserver.js';
import { type SeededRooms, type SeedStats, seedMeetings, seedRooms } from './seed-scale.js';

export interface SeedParams {
  rooms: number;
  meetings: number;
  prompts: 'direct' | 'room';
  encrypted: boolean;
}

export interface World {
  dir: string;
  template: string;
  botUser: TestUser;
  seeded: SeededRooms;
  stats: SeedStats;
  /** Seeding times of the run that made it. */
  roomsMs: number;
  dbMs: number;
  /** True when taken from the cache (the times above are then those of the run that seeded it). */
  reused: boolean;
  seededAt: number;
}

const MAX_AGE_MS = 24 * 60 * 60 * 1000;

export const cacheRoot = () =>
  process.env.BENCH_CACHE ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'meetbot-bench');

export function cacheKey(params: SeedParams, homeserverUrl: string): string {
  const id = JSON.stringify({ v: 1, ...params, homeserverUrl });
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 12);
  return `${params.rooms}r-${params.meetings}m-${params.prompts}-${params.encrypted ? 'e2ee' : 'plain'}-${hash}`;
}

interface Stored {
  params: SeedParams;
  homeserverUrl: string;
  seededAt: number;
  users: { userId: string; accessToken: string; displayName: string; password: string }[];
  bot: number;
  rooms: { roomId: string; people: number[] }[];
  people: number[];
  directRooms: [string, string][];
  stats: SeedStats;
  roomsMs: number;
  dbMs: number;
}

/** The world for these parameters: from the cache when the homeserver still holds it, else seeded and stored. */
export async function seededWorld(
  hs: TestHomeserver,
  params: SeedParams,
  print: (line: string) => void,
): Promise<World> {
  const key = cacheKey(params, hs.url);
  const dir = join(cacheRoot(), key);
  const file = join(dir, 'world.json');
  if (existsSync(file) && process.env.BENCH_RESEED !== '1') {
    const world = await load(dir, file);
    if (typeof world === 'string') print(`seed cache ${dir}: not used (${world}); seeding anew`);
    else {
      print(
        `seed cache ${dir}: reused (seeded ${new Date(world.seededAt).toISOString()}; BENCH_RESEED=1 seeds anew, rm -rf ${cacheRoot()} clears it)`,
      );
      return world;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const scratch = `${dir}.seeding-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const botUser = await hs.registerUser('meetbot-scale', { displayName: 'Meeting Bot' });
  let t = performance.now();
  const seeded = await seedRooms(hs, botUser, {
    count: params.rooms,
    encrypted: params.encrypted,
    devices: true,
  });
  const roomsMs = performance.now() - t;
  t = performance.now();
  const seededAt = Date.now();
  const stats = await seedMeetings(join(scratch, 'template.db'), seeded, botUser, {
    count: params.meetings,
    now: seededAt,
    prompts: params.prompts,
  });
  const dbMs = performance.now() - t;
  const users = [botUser, ...seeded.people];
  const index = new Map(users.map((u, i) => [u.userId, i]));
  const stored: Stored = {
    params,
    homeserverUrl: hs.url,
    seededAt,
    users: users.map(({ userId, accessToken, displayName, password }) => ({
      userId,
      accessToken,
      displayName,
      password,
    })),
    bot: 0,
    rooms: seeded.rooms.map((r) => ({ roomId: r.roomId, people: r.people.map((p) => index.get(p.userId)!) })),
    people: seeded.people.map((p) => index.get(p.userId)!),
    directRooms: [...seeded.directRooms],
    stats,
    roomsMs,
    dbMs,
  };
  writeFileSync(join(scratch, 'world.json'), JSON.stringify(stored));
  // Whole or not at all: an interrupted seeding leaves no entry behind.
  renameSync(scratch, dir);
  print(`seed cache ${dir}: stored (BENCH_RESEED=1 seeds anew, rm -rf ${cacheRoot()} clears it)`);
  return {
    dir,
    template: join(dir, 'template.db'),
    botUser,
    seeded,
    stats,
    roomsMs,
    dbMs,
    reused: false,
    seededAt,
  };
}

/** The stored world, or why it cannot be used. */
async function load(dir: string, file: string): Promise<World | string> {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Stored;
  if (Date.now() - s.seededAt > MAX_AGE_MS) return 'older than a day';
  if (!existsSync(join(dir, 'template.db'))) return 'no template.db';
  const users = s.users.map(
    (u) => new TestUser(s.homeserverUrl, u.userId, u.accessToken, u.displayName, u.password),
  );
  const botUser = users[s.bot]!;
  const person = users[s.people[0]!]!;
  try {
    for (const u of [botUser, person]) {
      const me = (await u.request('GET', '/_matrix/client/v3/account/whoami')) as { user_id?: string };
      if (me.user_id !== u.userId) return `the token of ${u.userId} is not its own any more`;
    }
    const joined = (await botUser.request('GET', '/_matrix/client/v3/joined_rooms')) as {
      joined_rooms: string[];
    };
    const rooms = new Set(joined.joined_rooms);
    for (const r of [s.rooms[0], s.rooms.at(-1)])
      if (r && !rooms.has(r.roomId)) return `the bot is not in ${r.roomId} any more`;
  } catch (error) {
    return `the homeserver does not know it (reset?): ${error instanceof Error ? error.message : error}`;
  }
  return {
    dir,
    template: join(dir, 'template.db'),
    botUser,
    seeded: {
      rooms: s.rooms.map((r) => ({ roomId: r.roomId, people: r.people.map((i) => users[i]!) })),
      people: s.people.map((i) => users[i]!),
      directRooms: new Map(s.directRooms),
    },
    stats: s.stats,
    roomsMs: s.roomsMs,
    dbMs: s.dbMs,
    reused: true,
    seededAt: s.seededAt,
  };
}
