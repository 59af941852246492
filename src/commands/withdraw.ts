import type { Stores } from '../app/context.js';
import { mayHoldRecordings } from '../app/views.js';
import type { MeetingRow } from '../db/meetings-store.js';
import { lines, type Rich } from '../i18n/rich.js';
import { defineCommand, UsageError } from './command.js';
import { CommandRefusal, isMeetingRef, resolveMeeting } from './meeting-ref.js';

export default defineCommand({
  name: 'withdraw',
  usage: 'withdraw [@user] [#meeting]',
  permission: 'anyone',
  ownData: true,
  async run(c, args) {
    const { t } = c.ctx;
    if (args.mentions.length > 1) throw new UsageError();
    const subject = args.mentions[0] ?? c.sender;
    if (subject !== c.sender && !c.ctx.isAdmin(c.sender)) throw new CommandRefusal(t.notAllowed(t.whoAdmin));
    const ref = isMeetingRef(args.words[0]) ? args.words[0] : undefined;
    const meetings = ref ? [resolveMeeting(c, ref, [])] : withdrawable(c.ctx.stores, subject, c.roomId);
    const invited = meetings.filter((m) =>
      c.ctx.stores.meetings.invitees(m.id).some((i) => i.userId === subject),
    );
    if (!invited.length) {
      if (ref) throw new CommandRefusal(t.notAllowed(t.whoParticipant));
      await c.reply(t.withdrawNothing);
      return;
    }
    const messages: Rich[] = [];
    for (const meeting of invited) {
      const message = await c.ctx.withMeeting(meeting.id, async () =>
        c.app.withdrawal.withdraw(c.ctx.stores.meetings.get(meeting.id)!, {
          userId: subject,
          actorId: c.sender,
          // One command may withdraw from several meetings: one ledger entry each.
          matrixEventId: invited.length > 1 ? `${c.eventId}#${meeting.id}` : c.eventId,
          source: 'command',
        }),
      );
      if (message) messages.push(message);
    }
    if (messages.length) await c.reply(lines(messages));
  },
});

/** Without a reference: every meeting of theirs here that is upcoming, running, or may hold a recording. */
function withdrawable(stores: Stores, userId: string, roomId: string): MeetingRow[] {
  return stores.meetings
    .ofUser(userId, roomId)
    .filter(
      (m) =>
        m.state === 'collecting' ||
        m.state === 'open' ||
        stores.recordings.ofMeeting(m.id).some((r) => r.state !== 'purged') ||
        mayHoldRecordings(stores, m.id),
    );
}
