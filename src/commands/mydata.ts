import { UndeliverableError } from '../app/ports.js';
import { defineCommand } from './command.js';

export default defineCommand({
  name: 'mydata',
  usage: 'mydata',
  permission: 'anyone',
  ownData: true,
  async run(c) {
    const { t, stores } = c.ctx;
    const meetings = stores.meetings.ofUser(c.sender);
    const titles = new Map(meetings.map((m) => [m.id, m.title]));
    const consents = stores.meetings.consentEventsOfUser(c.sender).map((e) =>
      t.consentEntry({
        kind: t.consentKinds[e.kind] ?? e.kind,
        at: c.ctx.dateTime(e.at),
        meeting: `#${e.meetingId} ${titles.get(e.meetingId) ?? ''}`.trim(),
        version: e.noticeSha256.slice(0, 12),
      }),
    );
    const answer = t.mydata({
      userId: c.sender,
      meetings: meetings.map((m) => t.meetingRef(m.id, m.title)),
      consents,
      deliveries: stores.meetings.deliveriesOfUser(c.sender),
      audit: stores.audit.countAbout(c.sender),
    });
    stores.audit.append({ at: c.ctx.now(), actorId: c.sender, action: 'user.mydata', subjectId: c.sender });
    // Personal data is not read out in front of others: a room with more people gets a DM instead.
    const others = [...(await c.ctx.chat.joinedMembers(c.roomId)).keys()].filter((id) => id !== c.sender);
    if (others.length === 0) {
      await c.reply(answer);
      return;
    }
    let dm: string;
    try {
      dm = await c.app.directRooms.get(c.sender);
    } catch (error) {
      if (!(error instanceof UndeliverableError)) throw error;
      c.ctx.log.warn({ userId: c.sender, reason: error.reason }, 'could not send !mydata by direct message');
      await c.reply(t.mydataUndeliverable);
      return;
    }
    await c.ctx.chat.send(dm, answer);
    await c.reply(t.mydataSent);
  },
});
