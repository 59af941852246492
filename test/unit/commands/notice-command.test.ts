import { describe, expect, it, vi } from 'vitest';
import notice from '../../../src/commands/notice.js';
import { paragraphs } from '../../../src/i18n/rich.js';
import { fakeContext, ROOM, run, SENDER, t } from '../../support/command-context.js';

// `!notice` on a fake context: the full notice goes to the asker by DM; the room hears only whether it went.

const FULL = paragraphs('the full notice text');

function noticeContext(delivered: boolean, directRoom = false) {
  const tell = vi.fn(async () => delivered);
  const c = fakeContext({
    direct: { tell },
    notice: { fullText: () => FULL },
    withdrawal: { isDirectRoom: (userId, roomId) => directRoom && userId === SENDER && roomId === ROOM },
  });
  return { c, tell };
}

describe('!notice', () => {
  it('sends the full notice to the asker by DM and says so in the room', async () => {
    const { c, tell } = noticeContext(true);
    expect(await run(notice, c)).toEqual({ kind: 'replied' });
    expect(tell).toHaveBeenCalledWith(SENDER, FULL);
    expect(c.replies.map((r) => r.text)).toEqual([t.noticeSent.text]);
  });

  it('says in the room when the DM could not be delivered', async () => {
    const { c } = noticeContext(false);
    await run(notice, c);
    expect(c.replies.map((r) => r.text)).toEqual([t.noticeUndeliverable.text]);
  });

  it('asked in the DM room itself, the notice is the whole answer', async () => {
    const { c, tell } = noticeContext(true, true);
    await run(notice, c);
    expect(tell).toHaveBeenCalledOnce();
    expect(c.replies).toEqual([]);
  });
});
