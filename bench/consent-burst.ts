// A consent burst: one meeting with hundreds of invitees, everyone reacting at once, through the
// real application code (real SQLite file, BBB simulator over HTTP, in-memory chat port). Measures
// how long the bot takes to record every answer, open the meeting and hand out every link, and how
// many tally edits the burst caused (coalescing).
//
// `room`: everyone answers on the prompt in the meeting's room (as before issue 21); `direct`: each on
// their own prompt in their DM room with the bot (consent.ask "direct", the default).
//
//   npx tsx bench/consent-burst.ts [invitees=500] [runs=5] [room|direct]
import './node-version.js';
import { createHarness, ORGANIZER, ROOM } from '../test/support/app-harness.js';
import { percentile } from './matrix-roundtrip.js';

async function once(invitees: number, ask: 'room' | 'direct') {
  const h = await createHarness({ limits: { maxInvitees: invitees + 1 }, consent: { ask } });
  try {
    const users = Array.from({ length: invitees }, (_, i) => `@user${i}:test`);
    h.chat.room(ROOM, [h.chat.botUserId, ORGANIZER, ...users]);
    await h.say(ORGANIZER, `!meeting Burst ${users.join(' ')}`);
    // Where each person answers: the room's prompt, or their own in their DM room.
    const promptOf = (user: string) => {
      if (ask === 'room') return { roomId: ROOM, eventId: h.promptOf(1) };
      const dm = h.app.ctx.stores.meetings.dmPrompt(1, user)!;
      return { roomId: dm.roomId, eventId: dm.eventId };
    };
    const editsBefore = h.app.prompts.editsSent;
    const t0 = performance.now();
    await Promise.all(
      [ORGANIZER, ...users].map((user) => {
        const { roomId, eventId: prompt } = promptOf(user);
        const eventId = h.chat.addReaction(roomId, user, prompt, '✅');
        return h.app.intake.onReaction({ roomId, sender: user, eventId, relatesTo: prompt, key: '✅' });
      }),
    );
    await h.app.prompts.flush();
    const ms = performance.now() - t0;
    const session = h.app.ctx.stores.meetings.currentSession(1);
    const links = session ? h.app.ctx.stores.meetings.delivered(session.id).size : 0;
    const record = h.sim.sessions()[0]?.record;
    if (!record || links !== invitees + 1)
      throw new Error(`burst did not complete (record=${record}, links=${links})`);
    return { ms, edits: h.app.prompts.editsSent - editsBefore };
  } finally {
    await h.close();
  }
}

async function main(): Promise<void> {
  const invitees = Number(process.argv[2] ?? 500);
  const runs = Number(process.argv[3] ?? 5);
  const ask = (process.argv[4] ?? 'room') as 'room' | 'direct';
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await once(invitees, ask));
  const ms = results.map((r) => r.ms);
  const median = percentile(ms, 50);
  console.log(
    `consent burst, ${ask} prompts: ${invitees + 1} invitees react ✅ at once → recorded meeting opens, ${invitees + 1} links sent`,
  );
  console.log(
    `  runs ${runs}: median ${median.toFixed(0)} ms (${((median / (invitees + 1)) * 1000).toFixed(0)} µs per answer incl. opening and links), min ${Math.min(...ms).toFixed(0)}, max ${Math.max(...ms).toFixed(0)}`,
  );
  console.log(
    `  tally edits during the burst: ${results.map((r) => r.edits).join(', ')} (one per reaction would be ${invitees + 1})`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
