import { defineCommand } from './command.js';

/**
 * `!notice`: the full privacy notice, by DM to whoever asks (design.md §3.9), whatever the room's
 * history visibility lets them read of the copy posted there.
 */
export default defineCommand<'direct' | 'notice' | 'withdrawal'>({
  name: 'notice',
  usage: 'notice',
  permission: 'anyone',
  async run(c) {
    const { t } = c;
    const { direct, notice, withdrawal } = c.services;
    const text = notice.fullText();
    const sent = await direct.tell(c.sender, text);
    if (!withdrawal.isDirectRoom(c.sender, c.roomId))
      await c.reply(sent ? t.noticeSent : t.noticeUndeliverable);
  },
});
