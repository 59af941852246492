// Input the bot must survive with dignity (design.md §4, §7): HTML in titles and display names is shown,
// never rendered; wrong commands get a usage answer, never silence or a stack trace; and with
// encryption switched off (matrix.encryption: false), in an encrypted room the bot says once, plainly,
// that it cannot work there (design.md §6). With encryption on, see meeting-encrypted.test.ts.
import { expect } from 'vitest';
import { argumentError, opening, said, t, usageOf } from '../support/catalogue.js';
import { describeWorld, worldTest } from './support/fixtures.js';
import { type MatrixEvent, membership, type TestUser, waitForEvent } from './support/homeserver.js';
import {
  bodyOf,
  countSeen,
  createMeetingRoom,
  isNotice,
  olgaAliceBob,
  planMeeting,
  postFrom,
  registerPeople,
  replyTo,
  wait,
} from './support/meeting-helpers.js';

const it = worldTest({ matrix: { encryption: false } });

function html(e: MatrixEvent): string {
  expect(e.content.format).toBe('org.matrix.custom.html');
  return String(e.content.formatted_body);
}

/** No second warning about the encrypted room within 3 s after the first. */
async function expectNoSecondWarning(user: TestUser, roomId: string, botId: string, warningId: string) {
  await expect(
    waitForEvent(user, roomId, postFrom(botId, said(t.encryptedRoom)), {
      timeoutMs: 3_000,
      afterEventId: warningId,
    }),
    'a second warning',
  ).rejects.toThrow(/no event matching/);
}

const STACK_TRACE = /\n\s+at |Error:|TypeError|undefined|\[object Object\]/;

describeWorld(it, 'hostile input and rooms the bot cannot serve', () => {
  it('HTML in a title or a display name is escaped in formatted_body, shown as text in body', async ({
    w,
    botId,
  }) => {
    const [olga, alice] = await registerPeople(w.hs, ['Olga', 'Alice']);
    const mallory = await w.hs.registerUser('mallory', { displayName: '<img src=y onerror=alert(1)>' });
    const roomId = await createMeetingRoom(olga, botId, [alice, mallory], 'hostile html');
    const title = '<b>x</b><img src=x>';
    const m = await planMeeting(olga, roomId, botId, title, [alice, mallory]);

    for (const event of [m.notice, m.prompt]) {
      expect(bodyOf(event)).toContain(title);
      const formatted = html(event);
      expect(formatted).toContain('&lt;b&gt;x&lt;/b&gt;&lt;img src=x&gt;');
      expect(formatted).not.toMatch(/<img|<b>x<\/b>|onerror=alert\(1\)>/);
    }
    expect(html(m.prompt)).toContain('&lt;img src=y onerror=alert(1)&gt;');
    // Mentions are explicit (m.mentions), so the pill is a real mention of Mallory's ID, nothing more.
    expect((m.prompt.content['m.mentions'] as { user_ids: string[] }).user_ids).toContain(mallory.userId);
  });

  it('commands with bad arguments get a short usage answer, never silence or a stack trace', async ({
    w,
    botId,
  }) => {
    const { olga, roomId } = await olgaAliceBob(w, 'bad arguments');
    const cases: [command: string, expected: string][] = [
      ['!meeting', argumentError(t.missingTitle, 'meeting')],
      ['!meeting x --bogus', argumentError(t.unknownOption('--bogus'), 'meeting')],
      ['!meeting x --at blorp', argumentError(t.badTime('blorp'), 'meeting')],
      // A known option without its value is not an "unknown option": the usage line shows the form.
      ['!meeting x --at', said(t.usage(usageOf('meeting')))],
      ['!meeting x --no-record=yes', said(t.usage(usageOf('meeting')))],
      [`!meeting x @nobody:${olga.serverName}`, `${opening(t.unknownUsers)}@nobody:`],
      [`!meeting ${'y'.repeat(300)}`, argumentError(t.titleTooLong(200), 'meeting')],
      ['!invite', said(t.usage(usageOf('invite')))],
      ['!start #999', said(t.noMeeting)],
      ['!status', said(t.noMeeting)],
    ];
    for (const [command, expected] of cases) {
      const commandId = await olga.sendText(roomId, command);
      const reply = await waitForEvent(olga, roomId, replyTo(botId, commandId), {
        ...wait,
        afterEventId: commandId,
        description: `the answer to ${JSON.stringify(command)}`,
      });
      const text = bodyOf(reply);
      expect(text, command).toContain(expected);
      expect(text, command).not.toMatch(STACK_TRACE);
      expect(text.length, command).toBeLessThan(400);
      expect(reply.content.msgtype).toBe('m.notice');
    }
    // None of it planned a meeting.
    expect(countSeen(olga, roomId, isNotice(botId))).toBe(0);
    expect(w.sim.sessions().filter((s) => s.name.startsWith('x') || s.name.startsWith('y'))).toHaveLength(0);
  });

  it('encryption off: in a room encrypted from the start, the bot says once that it cannot work there', async ({
    w,
    botId,
  }) => {
    const [olga, alice] = await registerPeople(w.hs, ['Olga', 'Alice']);
    const roomId = await olga.createRoom({
      name: 'encrypted',
      encrypted: true,
      invite: [botId, alice.userId],
    });
    await waitForEvent(olga, roomId, membership(botId, 'join'), wait);
    const warning = await waitForEvent(olga, roomId, postFrom(botId, said(t.encryptedRoom)), wait);
    expect(warning.content.msgtype).toBe('m.notice');
    expect(bodyOf(warning)).toBe(said(t.encryptedRoom));
    expect(bodyOf(warning)).not.toMatch(STACK_TRACE);

    // More encrypted traffic must not make it repeat itself.
    await olga.sendEvent(roomId, 'm.room.encrypted', {
      algorithm: 'm.megolm.v1.aes-sha2',
      ciphertext: 'AwgAEnAC',
      device_id: 'DEVICE',
      sender_key: 'c2VuZGVyIGtleQ',
      session_id: 'c2Vzc2lvbg',
    });
    await expectNoSecondWarning(olga, roomId, botId, warning.event_id);
    expect(countSeen(olga, roomId, postFrom(botId, said(t.encryptedRoom)))).toBe(1);
  });

  it('encryption off: when a room turns on encryption later, the bot says so once', async ({ w, botId }) => {
    const [olga, alice] = await registerPeople(w.hs, ['Olga', 'Alice']);
    const roomId = await createMeetingRoom(olga, botId, [alice], 'encrypted later');
    const stateId = (await olga.request(
      'PUT',
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.encryption/`,
      { algorithm: 'm.megolm.v1.aes-sha2' },
    )) as { event_id: string };
    const warning = await waitForEvent(olga, roomId, postFrom(botId, said(t.encryptedRoom)), {
      ...wait,
      afterEventId: stateId.event_id,
    });
    expect(warning.content.msgtype).toBe('m.notice');
    await expectNoSecondWarning(olga, roomId, botId, warning.event_id);
  });
});
