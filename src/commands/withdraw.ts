import type { Stores } from '../app/context.js';
import type { MeetingRow } from '../db/meetings-store.js';
import { lines, type Rich } from '../i18n/rich.js';
import { defineCommand, UsageError } from './command.js';
import { CommandRefusal, isMeetingRef, resolveMeeting } from './meeting-ref.js';

export default defineCommand({
  name: 'withdraw',
  usage: 'withdraw [@user] [#meeting]',
  permission: 'anyone',
  async run(c, args) {
    const { t } = c.ctx;
    if (args.mentions.length > 1) throw new UsageError();
    const subject = args.mentions[0] ?? c.sender;
    if (subject !== c.sender && !c.ctx.isAdmin(c.sender)) throw new CommandRefusal(t.notAllowed(t.whoAdmin));
    const ref = isMeetingRef(args.words[0]) ? args.words[0] : undefined;
    // In the sender's DM room with the bot: every meeting of the person, in any room (also one they left).
    const inDirectRoom = c.ctx.stores.state.directRoom(c.sender) === c.roomId;
    const meetings: (MeetingRow | undefined)[] = ref
      ? [inDirectRoom ? meetingOf(c.ctx.stores, subject, ref) : resolveMeeting(c, ref, [])]
      : withdrawable(c.ctx.stores, subject, inDirectRoom ? undefined : c.roomId);
    if (ref && !meetings[0]) throw new CommandRefusal(t.noMeeting);
    const invited = meetings.filter(
      (m): m is MeetingRow => !!m && c.ctx.stores.meetings.invitees(m.id).some((i) => i.userId === subject),
    );
    if (!invited.length) {
      if (ref) throw new CommandRefusal(t.notAllowed(t.whoParticipant));
      await c.reply(t.withdrawNothing);
      return;
    }
    const messages: Rich[] = [];
    for (const meeting of invited) {
      const message = await c.ctx.withMeeting(meeting.id, async () => {
        const outcome = await c.app.withdrawal.withdraw(c.ctx.stores.meetings.get(meeting.id)!, {
          userId: subject,
          actorId: c.sender,
          // One command may withdraw from several meetings: one ledger entry each.
          matrixEventId: invited.length > 1 ? `${c.eventId}#${meeting.id}` : c.eventId,
          source: 'command',
        });
        return outcome && c.app.withdrawal.tell(outcome, { commandRoom: c.roomId, inDirectRoom });
      });
      if (message && !messages.some((m) => m.text === message.text)) messages.push(message);
    }
    if (messages.length) await c.reply(lines(messages));
  },
});

/** `#n` from the DM room: a meeting of the person's, in whatever room. */
function meetingOf(stores: Stores, userId: string, ref: string): MeetingRow | undefined {
  const id = Number(ref.replace('#', ''));
  return stores.meetings.ofUser(userId).find((m) => m.id === id);
}

/**
 * Without a reference: every meeting of theirs here (or, `roomId` undefined, anywhere) that is
 * upcoming, running, or had a recorded session.
 */
function withdrawable(stores: Stores, userId: string, roomId: string | undefined): MeetingRow[] {
  return stores.meetings.ofUser(userId, roomId).filter(
    (m) =>
      m.state === 'collecting' ||
      m.state === 'open' ||
      stores.recordings.ofMeeting(m.id).some((r) => r.state !== 'purged') ||
      // Closed or cancelled: a recorded session that ran owns its recordings, known or not yet listed.
      stores.meetings
        .sessions(m.id)
        .some(
          (s) =>
            s.record &&
            s.confirmedAt !== null &&
            !stores.recordings.ofSession(s.id).some((r) => r.state === 'purged'),
        ),
  );
}
