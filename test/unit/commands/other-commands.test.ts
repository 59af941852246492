import { describe, expect, it, vi } from 'vitest';
import { UndeliverableError } from '../../../src/app/ports.js';
import evidence from '../../../src/commands/evidence.js';
import { commandTable } from '../../../src/commands/index.js';
import mydata from '../../../src/commands/mydata.js';
import ping from '../../../src/commands/ping.js';
import purge from '../../../src/commands/purge.js';
import recordings, { recordingRef } from '../../../src/commands/recordings.js';
import withdraw from '../../../src/commands/withdraw.js';
import { join, mention } from '../../../src/i18n/rich.js';
import {
  args,
  fakeContext,
  meetingRow,
  recordingRow,
  run,
  SENDER,
  t,
} from '../../support/command-context.js';
import { SAMPLE_NOTICE_FACTS } from '../../support/notice-facts.js';
import { BOB, inRoom, refusal, text, usage } from './support.js';

// The other commands on a fake context: what they ask the services, and what they answer.

const help = commandTable.find((d) => d.name === 'help')!;

describe('!withdraw', () => {
  const m = meetingRow();
  const withdrawal = (overrides = {}) => ({
    withdrawable: () => [m],
    isInvited: () => true,
    isDirectRoom: () => false,
    withdraw: vi.fn(async () => join(['withdrawn'])),
    ...overrides,
  });
  // A room with others in it (a room where the caller is alone with the bot counts as their DM).
  const members = {
    joinedMembers: async () =>
      new Map([
        [SENDER, 'Alice'],
        [BOB, 'Bob'],
      ]),
  };

  it('withdraws the caller from each meeting of theirs here, and answers with what happened', async () => {
    const w = withdrawal();
    const c = fakeContext({ withdrawal: w, members });
    await run(withdraw, c);
    expect(w.withdraw).toHaveBeenCalledWith(
      m.id,
      { userId: SENDER, actorId: SENDER, matrixEventId: '$command', source: 'command' },
      { commandRoom: c.roomId, inDirectRoom: false },
    );
    expect(c.replies.map(text)).toEqual(['withdrawn']);
  });

  it('only an admin withdraws for someone else', async () => {
    const w = withdrawal();
    expect(await run(withdraw, fakeContext({ withdrawal: w, members }), args({ mentions: [BOB] }))).toEqual(
      refusal(t.notAllowed(t.whoAdmin)),
    );
    await run(
      withdraw,
      fakeContext({ withdrawal: w, members }, { role: 'admin' }),
      args({ mentions: [BOB] }),
    );
    expect(w.withdraw).toHaveBeenCalledWith(
      m.id,
      expect.objectContaining({ userId: BOB, actorId: SENDER }),
      expect.anything(),
    );
  });

  it('withdraws from every meeting when one of them fails, answers what was done, then reports the failure', async () => {
    const second = meetingRow({ id: 2, title: 'Retro' });
    const refused = new Error('homeserver answered 502');
    const tried: number[] = [];
    const w = withdrawal({
      withdrawable: () => [m, second],
      withdraw: async (id: number) => {
        tried.push(id);
        if (id === m.id) throw refused;
        return join(['withdrawn from Retro']);
      },
    });
    const c = fakeContext({ withdrawal: w, members });
    await expect(run(withdraw, c)).rejects.toBe(refused);
    expect(tried).toEqual([m.id, second.id]);
    expect(c.replies.map(text)).toEqual(['withdrawn from Retro']);
  });

  it('says when there is nothing to withdraw', async () => {
    const c = fakeContext({ withdrawal: withdrawal({ withdrawable: () => [] }), members });
    await run(withdraw, c);
    expect(c.replies.map(text)).toEqual([text(t.withdrawNothing)]);
  });
});

describe('!recordings and !purge', () => {
  const row = { ...recordingRow(), title: 'Weekly sync' };

  it('lists the room’s recordings without links, and says when links went by direct message', async () => {
    const sendLinks = vi.fn(async () => 1);
    const c = fakeContext({ recordings: { inRoom: () => [row], sendLinks } });
    await run(recordings, c);
    expect(sendLinks).toHaveBeenCalledWith(SENDER, c.roomId);
    expect(text(c.replies[0]!)).toContain(recordingRef(row.recordId));
    expect(text(c.replies[0]!)).toContain(text(t.recordingsLinksSent));
    expect(text(c.replies[0]!)).not.toContain('http');
  });

  it('purge: deletes one recording by its short name and notes it in the audit log', async () => {
    const outcome = { deleted: [row], failed: [] };
    const purgeIt = vi.fn(async () => outcome);
    const notePurge = vi.fn();
    const c = fakeContext(
      {
        recordings: { inRoom: () => [row], purge: purgeIt, notePurge },
        meetings: { get: () => meetingRow() },
      },
      { role: 'admin' },
    );
    await run(purge, c, args({ words: [recordingRef(row.recordId)] }));
    expect(purgeIt).toHaveBeenCalledWith([row], SENDER, expect.any(Function));
    expect(notePurge).toHaveBeenCalledWith(SENDER, {
      target: recordingRef(row.recordId),
      deleted: 1,
      failed: 0,
    });
    expect(text(c.replies[0]!)).toContain(text(t.deletionMeans(SAMPLE_NOTICE_FACTS.finalDeletion)));
  });

  it('purge: a recording of another room is not found; no target is a usage error', async () => {
    const c = fakeContext({ recordings: { inRoom: () => [] } }, { role: 'admin' });
    expect(await run(purge, c, args({ words: ['abc'] }))).toEqual(refusal(t.recordingsNone));
    expect(await run(purge, c, args())).toEqual(usage(null));
  });
});

describe('!mydata and !evidence', () => {
  const copy = {
    userId: SENDER,
    generatedAt: '',
    meetings: [],
    forOthers: { invited: [], answersRecorded: [] },
    pendingTasks: [],
    auditEntries: [],
    directRoom: null,
    notes: [],
  };
  const data = { meetings: [meetingRow()], consents: [], deliveries: 2, audit: 3, copy };

  it('mydata: in a room with others, the answer goes by direct message', async () => {
    const send = vi.fn(async () => '$dm');
    const c = fakeContext({
      personal: { dataOf: () => data },
      members: inRoom({ [BOB]: 'Bob' }),
      direct: { roomOf: async () => '!dm:example.org', send, sendFile: vi.fn(async () => '$file') },
    });
    await run(mydata, c);
    expect(send).toHaveBeenCalledWith(
      '!dm:example.org',
      expect.objectContaining({ text: expect.any(String) }),
    );
    expect(c.replies.map(text)).toEqual([text(t.mydataSent(mention(SENDER, SENDER)))]);
  });

  it('mydata: never read out before others when no direct message reaches the person', async () => {
    const c = fakeContext({
      personal: { dataOf: () => data },
      members: inRoom({ [BOB]: 'Bob' }),
      direct: {
        roomOf: async () => {
          throw new UndeliverableError(SENDER, 'refused');
        },
      },
    });
    await run(mydata, c);
    expect(c.replies.map(text)).toEqual([text(t.mydataUndeliverable)]);
  });

  it('evidence: the report goes to the admin’s direct messages as a file, and is noted', async () => {
    const report = { generatedAt: '2026-11-26T12:00:00.000Z', meetings: [{ id: 1 }] };
    const sendFile = vi.fn(async () => '$file');
    const noteSent = vi.fn();
    const c = fakeContext(
      {
        evidence: { report: () => report as never, noteSent },
        direct: { roomOf: async () => '!dm:example.org', send: async () => '$m', sendFile },
      },
      { role: 'admin' },
    );
    await run(evidence, c, args({ options: { format: 'json' } }));
    expect(sendFile).toHaveBeenCalledWith(
      '!dm:example.org',
      expect.objectContaining({ name: 'evidence-room-2026-11-26.json', mimetype: 'application/json' }),
    );
    expect(noteSent).toHaveBeenCalledWith(SENDER, [1], 'json');
    expect(c.replies.map(text)).toEqual([text(t.evidenceSent(1))]);
  });

  it('evidence: none for this room; a bad format is a usage error', async () => {
    const c = fakeContext({ evidence: { report: () => ({ meetings: [] }) as never } }, { role: 'admin' });
    expect(await run(evidence, c)).toEqual(refusal(t.evidenceNone));
    expect(await run(evidence, c, args({ options: { format: 'xml' } }))).toEqual(usage(null));
  });
});

describe('!help and !ping', () => {
  it('help lists the admin commands to admins only', async () => {
    const member = fakeContext();
    await run(help, member);
    const admin = fakeContext({}, { role: 'admin' });
    await run(help, admin);
    expect(text(member.replies[0]!)).not.toContain('!purge');
    expect(text(admin.replies[0]!)).toContain('!purge');
  });

  it('ping answers pong', async () => {
    const c = fakeContext();
    await run(ping, c);
    expect(c.replies.map(text)).toEqual([text(t.pong)]);
  });
});
