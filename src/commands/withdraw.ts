import { lines, type Rich } from '../i18n/rich.js';
import { CommandError, defineCommand } from './command.js';
import { isMeetingRef, resolveMeeting } from './meeting-ref.js';

export default defineCommand<'meetings' | 'withdrawal'>({
  name: 'withdraw',
  usage: 'withdraw [@user] [#meeting]',
  permission: 'anyone',
  ownData: true,
  async run(c, args) {
    const { t } = c;
    const { withdrawal } = c.services;
    if (args.mentions.length > 1) throw CommandError.usage();
    const subject = args.mentions[0] ?? c.sender;
    if (subject !== c.sender && c.role !== 'admin') throw CommandError.refusal('notAllowed', t.whoAdmin);
    const ref = isMeetingRef(args.words[0]) ? args.words[0] : undefined;
    // In the sender's DM room with the bot: every meeting of the person, in any room (also one they left).
    const inDirectRoom = withdrawal.isDirectRoom(c.sender, c.roomId);
    const meetings = ref
      ? inDirectRoom
        ? withdrawal.withdrawable(subject, undefined).filter((m) => m.id === Number(ref.replace('#', '')))
        : [resolveMeeting(c, ref, [])]
      : withdrawal.withdrawable(subject, inDirectRoom ? undefined : c.roomId);
    if (ref && inDirectRoom && !meetings.length) throw CommandError.refusal('noMeeting');
    const invited = meetings.filter((m) => withdrawal.isInvited(m.id, subject));
    if (!invited.length) {
      if (ref) throw CommandError.refusal('notAllowed', t.whoParticipant);
      await c.reply(t.withdrawNothing);
      return;
    }
    const messages: Rich[] = [];
    for (const meeting of invited) {
      const message = await withdrawal.withdraw(
        meeting.id,
        {
          userId: subject,
          actorId: c.sender,
          // One command may withdraw from several meetings: one ledger entry each.
          matrixEventId: invited.length > 1 ? `${c.eventId}#${meeting.id}` : c.eventId,
          source: 'command',
        },
        { commandRoom: c.roomId, inDirectRoom },
      );
      if (message && !messages.some((m) => m.text === message.text)) messages.push(message);
    }
    if (messages.length) await c.reply(lines(messages));
  },
});
