import { UndeliverableError } from '../app/ports.js';
import { subjectAccess } from '../app/subject-access.js';
import { mention } from '../i18n/rich.js';
import { defineCommand } from './command.js';

export default defineCommand({
  name: 'mydata',
  usage: 'mydata',
  permission: 'anyone',
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
    const copy = subjectAccess(c.ctx, c.sender);
    const file = {
      name: `mydata-${new Date(c.ctx.now()).toISOString().slice(0, 10)}.json`,
      mimetype: 'application/json',
      data: Buffer.from(`${JSON.stringify(copy, null, 2)}\n`, 'utf8'),
    };
    const answer = t.mydata({
      userId: c.sender,
      meetings: meetings.map((m) => t.meetingRef(m.id, m.title)),
      consents,
      deliveries: stores.meetings.deliveriesOfUser(c.sender),
      audit: stores.audit.countAbout(c.sender),
      recordings: copy.meetings.reduce((n, m) => n + m.recordings.length, 0),
      file: file.name,
    });
    stores.audit.append({ at: c.ctx.now(), actorId: c.sender, action: 'user.mydata', subjectId: c.sender });
    // Personal data is not read out in front of others: a room with more people gets a DM instead.
    const members = await c.ctx.chat.joinedMembers(c.roomId);
    const others = [...members.keys()].filter((id) => id !== c.sender);
    if (others.length === 0) {
      await c.reply(answer);
      // Uploaded encrypted where the room is (the chat port encrypts files for encrypted rooms).
      await c.ctx.chat.sendFile(c.roomId, file);
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
    await c.ctx.chat.sendFile(dm, file);
    // Said in the room: whom the answer went to (several people may have asked).
    await c.reply(t.mydataSent(mention(c.sender, members.get(c.sender) ?? c.sender)));
  },
});
