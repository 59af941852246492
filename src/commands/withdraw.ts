import { guestName, isGuestId } from '../domain/guest.js';
import { lines, type Rich } from '../i18n/rich.js';
import { type CommandContext, CommandError, defineCommand } from './command.js';
import { askWhich, isMeetingRef, resolveMeeting } from './meeting-ref.js';

type Services = 'meetings' | 'withdrawal' | 'members' | 'guests';
/** One person's consent in one meeting. */
type Target = { meetingId: number; userId: string };

export default defineCommand<Services>({
  name: 'withdraw',
  usage: 'withdraw [@user | --guest "<name>"] [#meeting]',
  permission: 'anyone',
  ownData: true,
  options: { guest: { type: 'string' } },
  async run(c, args) {
    const { t } = c;
    const { withdrawal } = c.services;
    const guest = args.options.guest;
    if (args.mentions.length + (guest === undefined ? 0 : 1) > 1 || guest === true)
      throw CommandError.usage();
    const subject = args.mentions[0] ?? c.sender;
    if ((subject !== c.sender || guest !== undefined) && c.role !== 'admin')
      throw CommandError.refusal('notAllowed', t.whoAdmin);
    const ref = isMeetingRef(args.words[0]) ? args.words[0] : undefined;
    if (typeof guest === 'string') {
      await withdrawEach(c, guestTargets(c, guest, ref), false);
      return;
    }
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
      await c.reply(subject === c.sender ? t.withdrawNothing : t.withdrawNothingFor(subject));
      return;
    }
    await withdrawEach(
      c,
      invited.map((m) => ({ meetingId: m.id, userId: subject })),
      inDirectRoom,
    );
  },
});

/**
 * A guest's consent, withdrawn by an admin (the guest asked informally, design.md §3.6): the guest of
 * that name in this room's one meeting (or the one referenced) whose withdrawal still changes something.
 */
function guestTargets(c: CommandContext<Services>, raw: string, ref: string | undefined): Target[] {
  const name = guestName(raw);
  if (!name) throw CommandError.usage('guestNameInvalid');
  const { withdrawal, guests, meetings } = c.services;
  const inScope = ref ? [resolveMeeting(c, ref, [])] : meetings.inRoom(c.roomId);
  const wanted = name.toLocaleLowerCase();
  const targets = inScope.flatMap((meeting) =>
    guests
      .ofMeeting(meeting.id)
      .filter((g) => g.displayName.toLocaleLowerCase() === wanted)
      .filter((g) => withdrawal.withdrawable(g.id, meeting.roomId).some((m) => m.id === meeting.id))
      .map((g) => ({ meetingId: meeting.id, userId: g.id })),
  );
  if (!targets.length) throw CommandError.refusal('withdrawNothingFor', name);
  // A name is not a person: guests of the same name in several meetings may be different people, and
  // withdrawing for the wrong one would delete what they agreed to. Without a reference, ask which.
  const inMeetings = inScope.filter((m) => targets.some((x) => x.meetingId === m.id));
  if (inMeetings.length > 1) throw askWhich(c, inMeetings);
  return targets;
}

/**
 * Withdraws each target and answers with what was done. A failure with one (a message the homeserver
 * refused) must not keep the others: each is withdrawn, then the first failure is reported.
 */
async function withdrawEach(
  c: CommandContext<Services>,
  targets: readonly Target[],
  inDirectRoom: boolean,
): Promise<void> {
  const messages: Rich[] = [];
  let failure: { error: unknown } | undefined;
  for (const { meetingId, userId } of targets) {
    const message = await c.services.withdrawal
      .withdraw(
        meetingId,
        {
          userId,
          actorId: c.sender,
          // One command may withdraw from several meetings (guests: several of one name): one ledger entry each.
          matrixEventId:
            targets.length > 1
              ? `${c.eventId}#${meetingId}${isGuestId(userId) ? `:${userId}` : ''}`
              : c.eventId,
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
}

async function aloneWithBot(c: CommandContext<'members'>): Promise<boolean> {
  const joined = await c.services.members.joinedMembers(c.roomId);
  return joined.size === 1 && joined.has(c.sender);
}
