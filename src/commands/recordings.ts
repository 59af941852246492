import { DAY_MS } from '../domain/retention.js';
import { lines } from '../i18n/rich.js';
import { defineCommand } from './command.js';

/** How recordings are named in chat: a short, unique-enough prefix of BBB's record ID. */
export function recordingRef(recordId: string): string {
  return recordId.slice(0, 10);
}

export default defineCommand<'recordings'>({
  name: 'recordings',
  usage: 'recordings',
  permission: 'anyone',
  async run(c) {
    const { t } = c;
    const rows = c.services.recordings.inRoom(c.roomId);
    if (!rows.length) {
      await c.reply(t.recordingsNone);
      return;
    }
    const now = c.clock.now();
    const age = (since: number) => {
      const ms = Math.max(0, now - since);
      return ms >= DAY_MS ? t.days(Math.floor(ms / DAY_MS)) : t.hours(Math.floor(ms / 3_600_000));
    };
    // The list in the room never holds links; who may watch gets theirs by direct message.
    const sent = await c.services.recordings.sendLinks(c.sender, c.roomId).catch((error: unknown) => {
      c.log.warn({ err: error, roomId: c.roomId }, 'could not send playback links on request');
      return 0;
    });
    await c.reply(
      lines([
        t.recordingsHeader,
        ...rows.map((r) =>
          t.recordingLine({
            ref: recordingRef(r.recordId),
            name: t.recordingName(r.title, c.date(r.startTime ?? r.discoveredAt)),
            state: t.recordingStates[r.state] ?? r.state,
            age: age(r.startTime ?? r.discoveredAt),
            deleteOn: r.deleteAfter ? c.date(r.deleteAfter) : null,
          }),
        ),
        ...(sent ? [t.recordingsLinksSent] : []),
      ]),
    );
  },
});
