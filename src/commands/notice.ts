import { fullNoticeMessage } from '../app/notice-posting.js';
import { defineCommand } from './command.js';

/**
 * `!notice`: the full privacy notice, by DM to whoever asks (design.md §3.9), whatever the room's
 * history visibility lets them read of the copy posted there.
 */
export default defineCommand({
  name: 'notice',
  usage: 'notice',
  permission: 'anyone',
  async run(c) {
    const { t, notice } = c.ctx;
    const sent = await c.app.direct.tell(
      c.sender,
      fullNoticeMessage(c.ctx, notice.text, notice.sha256),
      `notice-full:${notice.sha256}`,
    );
    if (c.roomId !== c.ctx.stores.state.directRoom(c.sender)) {
      await c.reply(sent ? t.noticeSent : t.noticeUndeliverable);
    }
  },
});
