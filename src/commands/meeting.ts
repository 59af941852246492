import { plannedInvitees, withinCap } from '../domain/bounds.js';
import { cleanName } from '../domain/names.js';
import { defineCommand, UsageError } from './command.js';
import { parseWhen } from './when.js';

export const MAX_TITLE_LENGTH = 200;

export default defineCommand({
  name: 'meeting',
  usage: 'meeting <title> [@user …] [--at "<time>"] [--no-record]',
  permission: 'anyone',
  options: { at: { type: 'string' }, 'no-record': { type: 'boolean' } },
  async run(c, args) {
    const { t } = c.ctx;
    // Cleaned before it is measured: what is stored is what everyone sees, on one line.
    const title = cleanName(args.words.join(' '), Number.POSITIVE_INFINITY);
    if (!title) throw new UsageError(t.missingTitle);
    if ([...title].length > MAX_TITLE_LENGTH) throw new UsageError(t.titleTooLong(MAX_TITLE_LENGTH));
    const max = c.ctx.config.limits.maxInvitees;
    if (!withinCap(0, args.mentions.length, max)) throw new UsageError(t.tooManyInvitees(max));
    let scheduledAt: number | null = null;
    if (typeof args.options.at === 'string') {
      const when = parseWhen(args.options.at, c.ctx.language, c.ctx.config.timezone, c.ctx.now());
      if (!when.ok) {
        const input = args.options.at;
        if (when.problem === 'past') throw new UsageError(t.timeInPast(c.ctx.dateTime(when.at!)));
        if (when.problem === 'dst-gap') throw new UsageError(t.timeInDstGap(input, c.ctx.config.timezone));
        if (when.problem === 'no-clock-time') throw new UsageError(t.timeWithoutClock(input));
        throw new UsageError(t.badTime(input));
      }
      scheduledAt = when.at;
    }
    const members = await c.ctx.chat.joinedMembers(c.roomId);
    const strangers = args.mentions.filter(
      (id) => !members.has(id) && id !== c.sender && id !== c.ctx.chat.botUserId,
    );
    if (strangers.length) throw new UsageError(t.unknownUsers(strangers.join(', ')));
    const bot = c.ctx.chat.botUserId;
    const invitees = plannedInvitees(c.sender, args.mentions, [...members.keys()], bot);
    if (!withinCap(0, invitees.length, max)) {
      throw new UsageError(
        args.mentions.length ? t.tooManyInvitees(max) : t.tooManyRoomMembers(invitees.length, max),
      );
    }
    await c.app.planning.plan({
      roomId: c.roomId,
      organizerId: c.sender,
      commandEventId: c.eventId,
      title,
      invitees: args.mentions.filter((id) => id !== c.ctx.chat.botUserId),
      members,
      scheduledAt,
      noRecord: args.options['no-record'] === true,
    });
  },
});
