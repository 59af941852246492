// `npm run demo -- --keep`: after the scripted scenario, the homeserver, the BBB simulator and the bot
// keep running; the printed user name and password log in with an ordinary password login, the bot
// answers commands; Ctrl-C stops what the demo started. Started as a person does, `npm run demo -- --keep`
// in its own process group, and stopped as a terminal's Ctrl-C does it: SIGINT to the whole group (npm,
// the demo and the bot; npm passes it on to the demo a second time).
import { afterAll, describe, expect, inject, it } from 'vitest';
import { said, t } from '../support/catalogue.js';
import { processesWithEnv } from '../support/processes.js';
import { type Demo, startDemo } from './support/demo.js';
import { passwordLogin, TestUser, waitForEvent } from './support/homeserver.js';
import { postFrom } from './support/meeting-helpers.js';

const info = inject('homeserver');

describe.skipIf(!info)('npm run demo -- --keep', () => {
  let demo: Demo | undefined;
  afterAll(() => {
    if (demo?.child.exitCode === null && demo.child.pid) process.kill(-demo.child.pid, 'SIGKILL');
  });

  it('prints how to log in, keeps the bot answering, and stops on Ctrl-C', async () => {
    demo = startDemo('npm', ['run', 'demo', '--', '--keep'], { detached: true });
    const output = demo.output;
    await expect
      .poll(output, { timeout: 120_000, interval: 500, message: 'the demo printing its log-in facts' })
      .toContain('Ctrl-C stops');

    expect(output()).toContain(`homeserver: ${info!.url}`);
    const alice = /Alice\s+user (\S+)\s+password (\S+)/.exec(output());
    const room = /the room: "Team" \((![^)\s]+)\); the bot is (@\S+)/.exec(output());
    expect(alice, output()).not.toBeNull();
    expect(room, output()).not.toBeNull();
    const [, user, password] = alice!;
    const [, roomId, botId] = room!;

    // What a person does in their client: a password login, then a command in the room.
    const login = await passwordLogin(info!.url, user!, password!);
    const person = new TestUser(info!.url, login.user_id, login.access_token, 'Alice', password!);
    const asked = await person.sendText(roomId!, '!recordings');
    const answer = await waitForEvent(person, roomId!, postFrom(botId!, said(t.recordingsHeader)), {
      afterEventId: asked,
      timeoutMs: 30_000,
    });
    expect(answer.sender).toBe(botId);

    // Ctrl-C: the demo stops the bot and the simulator, and exits cleanly.
    process.kill(-demo.child.pid!, 'SIGINT');
    expect((await demo.exited).code).toBe(0);
    expect(output()).toContain('stopping');
    expect(processesWithEnv(demo.marker.name, demo.marker.value)).toEqual([]);
    const pinged = await person.sendText(roomId!, '!ping');
    await expect(
      waitForEvent(person, roomId!, postFrom(botId!, 'pong'), { afterEventId: pinged, timeoutMs: 5_000 }),
    ).rejects.toThrow(/no event matching/);
  }, 180_000);
});
