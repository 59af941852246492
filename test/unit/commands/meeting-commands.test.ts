import { describe, expect, it, vi } from 'vitest';
import cancel from '../../../src/commands/cancel.js';
import invite from '../../../src/commands/invite.js';
import meeting from '../../../src/commands/meeting.js';
import start from '../../../src/commands/start.js';
import status from '../../../src/commands/status.js';
import { join } from '../../../src/i18n/rich.js';
import { args, fakeContext, meetingRow, run, SENDER, t } from '../../support/command-context.js';
import { BOB, CAROL, inRoom, refusal, text, usage } from './support.js';

// The meeting commands on a fake context: what they ask the services, and what they answer.

const BOT = '@bot:example.org';

function meetingsOf(...rows: ReturnType<typeof meetingRow>[]) {
  return {
    get: (id: number) => rows.find((m) => m.id === id),
    inRoom: (roomId: string, states?: string[]) =>
      rows.filter((m) => m.roomId === roomId && (!states?.length || states.includes(m.state))),
  };
}

describe('!meeting', () => {
  const members = { botUserId: BOT, ...inRoom({ [SENDER]: 'Alice', [BOB]: 'Bob' }) };

  it('plans with the mentioned people, never the bot', async () => {
    const plan = vi.fn(async () => null);
    const c = fakeContext({ planning: { plan }, members });
    await run(meeting, c, args({ words: ['Weekly', 'sync'], mentions: [BOB, BOT] }));
    expect(plan).toHaveBeenCalledWith(
      expect.objectContaining({
        title: 'Weekly sync',
        organizerId: SENDER,
        invitees: [BOB],
        scheduledAt: null,
      }),
    );
  });

  it('refuses a missing title, people not in the room and a time in the past, with the reason', async () => {
    const plan = vi.fn();
    const c = fakeContext({ planning: { plan }, members });
    expect(await run(meeting, c, args())).toEqual(usage(t.missingTitle));
    expect(await run(meeting, c, args({ words: ['x'], mentions: [CAROL] }))).toEqual(
      usage(t.unknownUsers(CAROL)),
    );
    const past = await run(meeting, c, args({ words: ['x'], options: { at: '2026-11-25 10:00' } }));
    expect(past).toEqual(usage(t.timeInPast(c.dateTime(Date.parse('2026-11-25T09:00:00Z')))));
    expect(plan).not.toHaveBeenCalled();
  });

  it('keeps to the invitee cap', async () => {
    const settings = { ...fakeContext().settings, maxInvitees: 1 };
    const c = fakeContext({ planning: { plan: vi.fn() }, members }, { settings });
    expect(await run(meeting, c, args({ words: ['x'], mentions: [BOB, CAROL] }))).toEqual(
      usage(t.tooManyInvitees(1)),
    );
  });
});

describe('!status', () => {
  it('shows the latest meeting when none is planned or open, and says so', async () => {
    const closed = meetingRow({ state: 'closed' });
    const view = {
      meeting: closed,
      invitees: [],
      statuses: new Map(),
      decision: { agreed: [], declined: [], withdrawn: [], pending: [] },
    };
    const c = fakeContext({
      meetings: { ...meetingsOf(closed), view: () => view as never, currentSession: () => undefined },
    });
    await run(status, c, args());
    expect(text(c.replies[0]!)).toContain(text(t.statusLatest));
    expect(text(c.replies[0]!)).toContain(closed.title);
  });

  it('answers that there is no such meeting in this room', async () => {
    const elsewhere = meetingRow({ roomId: '!other:example.org' });
    const c = fakeContext({ meetings: meetingsOf(elsewhere) });
    expect(await run(status, c, args({ words: ['#1'] }))).toEqual(refusal(t.noMeeting));
  });
});

describe('!start and !cancel', () => {
  it('start: only the organizer or an admin, and says when the meeting is open already', async () => {
    const m = meetingRow({ organizerId: BOB });
    const startIt = vi.fn(async () => 'already-open' as const);
    const member = fakeContext({ meetings: meetingsOf(m), planning: { start: startIt } });
    expect(await run(start, member)).toEqual(refusal(t.notAllowed(t.whoOrganizerOrAdmin)));
    expect(startIt).not.toHaveBeenCalled();
    const admin = fakeContext({ meetings: meetingsOf(m), planning: { start: startIt } }, { role: 'admin' });
    await run(start, admin);
    expect(admin.replies.map(text)).toEqual([text(t.alreadyOpen(m.title))]);
  });

  it('cancel: asks which meeting when the room has several', async () => {
    const c = fakeContext({
      meetings: meetingsOf(meetingRow({ id: 1 }), meetingRow({ id: 2, title: 'Retro' })),
    });
    const choices = join([t.meetingRef(1, 'Weekly sync'), t.meetingRef(2, 'Retro')], ', ');
    expect(await run(cancel, c)).toEqual(refusal(t.ambiguousMeeting(choices)));
  });

  it('cancel: reports a meeting that ends now', async () => {
    const m = meetingRow({ state: 'open' });
    const c = fakeContext({ meetings: meetingsOf(m), planning: { cancel: async () => ({ ending: true }) } });
    await run(cancel, c);
    expect(c.replies.map(text)).toEqual([text(t.cancelledEnding(m.title))]);
  });
});

describe('!invite', () => {
  it('invites people of the room and names who was invited already', async () => {
    const m = meetingRow();
    const inviteIt = vi.fn(async () => ({ added: ['Bob'], already: ['Carol'] }));
    const c = fakeContext({
      meetings: meetingsOf(m),
      planning: { invite: inviteIt as never },
      members: inRoom({ [BOB]: 'Bob', [CAROL]: 'Carol' }),
    });
    await run(invite, c, args({ mentions: [BOB, CAROL] }));
    expect(inviteIt).toHaveBeenCalledWith(m, [BOB, CAROL], SENDER);
    expect(c.replies.map(text)).toEqual([
      text(t.invited(m.title, { text: 'Bob', html: 'Bob', mentions: [] })),
      text(t.alreadyInvited({ text: 'Carol', html: 'Carol', mentions: [] })),
    ]);
  });

  it('refuses someone who is not in the room', async () => {
    const c = fakeContext({
      meetings: meetingsOf(meetingRow()),
      members: inRoom({}),
    });
    expect(await run(invite, c, args({ mentions: [BOB] }))).toEqual(usage(t.unknownUsers(BOB)));
  });
});
