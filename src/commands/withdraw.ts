import { lines, type Rich } from '../i18n/rich.js';
import { type CommandContext, CommandError, defineCommand } from './command.js';
import { isMeetingRef, resolveMeeting } from './meeting-ref.js';

export default defineCommand<'meetings' | 'withdrawal' | 'members'>({
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
    // A chat they opened with the bot themselves (alone with it there) is their DM as well.
    const inDirectRoom = withdrawal.isDirectRoom(c.sender, c.roomId) || (await aloneWithBot(c));
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
    // A failure with one meeting (a message the homeserver refused) must not keep the others: each is
    // withdrawn, what was done is answered, and the first failure is reported after that.
    let failure: { error: unknown } | undefined;
    for (const meeting of invited) {
      const message = await withdrawal
        .withdraw(
          meeting.id,
          {
            userId: subject,
            actorId: c.sender,
            // One command may withdraw from several meetings: one ledger entry each.
            matrixEventId: invited.length > 1 ? `${c.eventId}#${meeting.id}` : c.eventId,
            source: 'command',
          },
          { commandRoom: c.roomId, inDirectRoom },
        )
        .catch((error: unknown) => {
          failure ??= { error };
          return null;
        });
      if (message && !messages.some((m) => m.text === message.text)) messages.push(message);
    }
    if (messages.length) await c.reply(lines(messages));
    if (failure) throw failure.error;
  },
});

async function aloneWithBot(c: CommandContext<'members'>): Promise<boolean> {
  const joined = await c.services.members.joinedMembers(c.roomId);
  return joined.size === 1 && joined.has(c.sender);
}
