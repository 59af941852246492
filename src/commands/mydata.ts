import { UndeliverableError } from '../app/ports.js';
import { mention } from '../i18n/rich.js';
import { defineCommand } from './command.js';

export default defineCommand<'personal' | 'members' | 'direct'>({
  name: 'mydata',
  usage: 'mydata',
  permission: 'anyone',
  ownData: true,
  async run(c) {
    const { t } = c;
    const { personal, members, direct } = c.services;
    const data = personal.dataOf(c.sender);
    const meetings = data.meetings;
    const titles = new Map(meetings.map((m) => [m.id, m.title]));
    const consents = data.consents.map((e) =>
      t.consentEntry({
        kind: t.consentKinds[e.kind] ?? e.kind,
        at: c.dateTime(e.at),
        meeting: `#${e.meetingId} ${titles.get(e.meetingId) ?? ''}`.trim(),
        version: e.noticeSha256.slice(0, 12),
      }),
    );
    const file = {
      name: `mydata-${new Date(c.clock.now()).toISOString().slice(0, 10)}.json`,
      mimetype: 'application/json',
      data: Buffer.from(`${JSON.stringify(data.copy, null, 2)}\n`, 'utf8'),
    };
    const answer = t.mydata({
      userId: c.sender,
      meetings: meetings.map((m) => t.meetingRef(m.id, m.title)),
      consents,
      deliveries: data.deliveries,
      audit: data.audit,
      recordings: data.copy.meetings.reduce((n, m) => n + m.recordings.length, 0),
      file: file.name,
      prefix: c.prefix,
    });
    // Personal data is not read out in front of others: a room with more people gets a DM instead.
    const joined = await members.joinedMembers(c.roomId);
    const others = [...joined.keys()].filter((id) => id !== c.sender);
    if (others.length === 0) {
      await c.reply(answer);
      // Uploaded encrypted where the room is (the chat port encrypts files for encrypted rooms).
      await direct.sendFile(c.roomId, file);
      return;
    }
    let dm: string;
    try {
      dm = await direct.roomOf(c.sender);
    } catch (error) {
      if (!(error instanceof UndeliverableError)) throw error;
      c.log.warn({ userId: c.sender, reason: error.reason }, 'could not send !mydata by direct message');
      await c.reply(t.mydataUndeliverable);
      return;
    }
    await direct.send(dm, answer);
    await direct.sendFile(dm, file);
    // Said in the room: whom the answer went to (several people may have asked).
    await c.reply(t.mydataSent(mention(c.sender, joined.get(c.sender) ?? c.sender)));
  },
});
