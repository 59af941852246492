// The member lists the bot's encryption reads before each message (BotMatrixClient): read from the
// homeserver once and kept until a sync shows a membership change in the room, or the bot itself
// changed a membership. The homeserver is a small HTTP stand-in that answers /members and counts reads.
import { beforeEach, describe, expect, it } from 'vitest';
import { BotMatrixClient } from '../../../src/matrix/sdk/client.js';
import { json, serve } from '../../support/stand-in-servers.js';

const ROOM = '!room:example.org';
const OTHER = '!other:example.org';

let client: BotMatrixClient;
/** Members the stand-in lists per room; reads per room; whether the next read fails. */
const members = new Map<string, string[]>();
const invited = new Map<string, string[]>();
const reads = new Map<string, number>();
let failNext = false;
const names = new Map<string, string>();

beforeEach(async () => {
  members.set(ROOM, ['@bot:example.org', '@alice:example.org']);
  members.set(OTHER, ['@bot:example.org']);
  invited.clear();
  reads.clear();
  failNext = false;
  const hs = await serve((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const room = decodeURIComponent(/\/rooms\/([^/]+)\//.exec(url.pathname)?.[1] ?? '');
    if (url.pathname.endsWith('/joined_members')) {
      reads.set(`names ${room}`, (reads.get(`names ${room}`) ?? 0) + 1);
      const joined = Object.fromEntries(
        (members.get(room) ?? []).map((u) => [u, { display_name: names.get(u) }]),
      );
      return json(res, 200, { joined });
    }
    if (url.pathname.endsWith('/members')) {
      reads.set(room, (reads.get(room) ?? 0) + 1);
      if (failNext) {
        failNext = false;
        return json(res, 502, { errcode: 'M_UNKNOWN', error: 'bad gateway' });
      }
      const wanted = url.searchParams.get('membership');
      const chunk = [
        ...(members.get(room) ?? []).map((u) => [u, 'join'] as const),
        ...(invited.get(room) ?? []).map((u) => [u, 'invite'] as const),
      ].map(([u, membership]) => ({
        type: 'm.room.member',
        state_key: u,
        sender: u,
        event_id: `$${u}`,
        room_id: room,
        content: { membership },
      }));
      // As Synapse: without `membership`, every member.
      return json(res, 200, { chunk: chunk.filter((e) => !wanted || e.content.membership === wanted) });
    }
    if (url.pathname.endsWith('/account/whoami')) return json(res, 200, { user_id: '@bot:example.org' });
    if (url.pathname.includes('/invite')) {
      members.get(room)?.push('@bob:example.org');
      return json(res, 200, {});
    }
    json(res, 404, { errcode: 'M_NOT_FOUND', error: 'not here' });
  });
  client = new BotMatrixClient(hs.url, 'token');
});

const joined = async (roomId = ROOM) =>
  (await client.getRoomMembersByMembership(roomId, 'join')).map((m) => m.membershipFor).sort();
/** Hands the client one /sync response, as its sync loop does. */
const sync = (rooms: Record<string, unknown>) =>
  (client as unknown as { processSync(raw: unknown): Promise<void> }).processSync({ rooms: { join: rooms } });
const timeline = (...events: { type: string; state_key?: string }[]) => ({ timeline: { events } });

describe("the member lists kept for the bot's encryption", () => {
  it('are read once for many messages, and again after a sync shows someone joining', async () => {
    expect(await joined()).toEqual(['@alice:example.org', '@bot:example.org']);
    await Promise.all([joined(), joined(), joined()]);
    expect(reads.get(ROOM)).toBe(1);

    members.get(ROOM)?.push('@carla:example.org');
    await sync({ [ROOM]: timeline({ type: 'm.room.message' }) });
    expect(await joined()).not.toContain('@carla:example.org'); // nothing in the sync said so yet
    await sync({ [ROOM]: timeline({ type: 'm.room.member', state_key: '@carla:example.org' }) });
    expect(await joined()).toContain('@carla:example.org');
    expect(reads.get(ROOM)).toBe(2);
  });

  it('are read again after a sync that skipped part of the timeline, or carried the room state', async () => {
    await joined();
    await sync({ [ROOM]: { timeline: { events: [], limited: true } } });
    await joined();
    await sync({ [ROOM]: { state: { events: [{ type: 'm.room.member' }] } } });
    await joined();
    expect(reads.get(ROOM)).toBe(3);
  });

  it("of one room survive another room's membership change", async () => {
    await joined(ROOM);
    await joined(OTHER);
    await sync({ [OTHER]: timeline({ type: 'm.room.member', state_key: '@dave:example.org' }) });
    await joined(ROOM);
    await joined(OTHER);
    expect([reads.get(ROOM), reads.get(OTHER)]).toEqual([1, 2]);
  });

  it('are read again after the bot invites someone itself, before any sync shows it', async () => {
    await joined();
    await client.inviteUser('@bob:example.org', ROOM);
    expect(await joined()).toContain('@bob:example.org');
  });

  it('joined and invited come from one read, so someone accepting an invite between two reads is not missed', async () => {
    invited.set(ROOM, ['@dora:example.org']);
    // The SDK's encryption asks for the joined members, then for the invited ones; Dora accepts in between.
    const joinedFirst = await joined();
    members.get(ROOM)!.push('@dora:example.org');
    invited.set(ROOM, []);
    const invitedThen = (await client.getRoomMembersByMembership(ROOM, 'invite')).map((m) => m.membershipFor);
    expect([...joinedFirst, ...invitedThen]).toContain('@dora:example.org');
    expect(reads.get(ROOM)).toBe(1);
  });

  it('are not kept when the read failed', async () => {
    failNext = true;
    await expect(joined()).rejects.toThrow();
    expect(await joined()).toEqual(['@alice:example.org', '@bot:example.org']);
    expect(reads.get(ROOM)).toBe(2);
  });
});

describe('the joined members with their names (read by !meeting before its notice)', () => {
  const named = async () => client.getJoinedRoomMembersWithProfiles(ROOM);
  it('are read once, and again after a sync shows a membership event (a join, a new name) or a gap', async () => {
    names.set('@alice:example.org', 'Alice');
    expect((await named())['@alice:example.org']?.display_name).toBe('Alice');
    await named();
    await sync({ [ROOM]: timeline({ type: 'm.room.message' }) });
    await named();
    expect(reads.get(`names ${ROOM}`)).toBe(1);

    names.set('@alice:example.org', 'Alice B.');
    await sync({ [ROOM]: timeline({ type: 'm.room.member', state_key: '@alice:example.org' }) });
    expect((await named())['@alice:example.org']?.display_name).toBe('Alice B.');
    await sync({ [ROOM]: { timeline: { events: [], limited: true } } });
    await named();
    expect(reads.get(`names ${ROOM}`)).toBe(3);
  });
});
