import type { RecordingRow } from '../db/recordings-store.js';
import { lines } from '../i18n/rich.js';
import { type CommandContext, defineCommand, UsageError } from './command.js';
import { CommandRefusal, isMeetingRef, resolveMeeting } from './meeting-ref.js';
import { ProgressMessage } from './progress.js';
import { recordingRef } from './recordings.js';

/** Progress edits at most this often, so a long purge does not flood the room. */
const PROGRESS_EVERY_MS = 1000;

export default defineCommand({
  name: 'purge',
  usage: 'purge <#meeting | recording> | purge --expired',
  permission: 'admin',
  options: { expired: { type: 'boolean' } },
  async run(c, args) {
    const { t } = c.ctx;
    const target = args.words[0];
    if ((args.options.expired === true) === (target !== undefined) || args.words.length > 1)
      throw new UsageError();
    const rows = args.options.expired ? c.ctx.stores.recordings.dueForPurge(c.ctx.now()) : pick(c, target!);
    if (!rows.length) {
      await c.reply(args.options.expired ? t.purgeNothingExpired : t.recordingsNone);
      return;
    }
    // Only a job of more than one batch shows progress; it then always ends at "total/total".
    const shown = new ProgressMessage(c.ctx, c.roomId, PROGRESS_EVERY_MS);
    const progress = (done: number, total: number) => {
      if (total > 50) shown.update(t.purgeProgress(done, total), done === total);
    };
    // --expired runs the retention job itself (same code, same lock as the schedule).
    const outcome = args.options.expired
      ? await c.app.retention.run(progress)
      : await c.app.purger.purge(rows, 'admin', c.sender, progress);
    await shown.settled();
    c.ctx.stores.audit.append({
      at: c.ctx.now(),
      actorId: c.sender,
      action: 'admin.purge',
      details: {
        target: target ?? '--expired',
        deleted: outcome.deleted.length,
        failed: outcome.failed.length,
      },
    });
    const name = (r: RecordingRow) => {
      const meeting = c.ctx.stores.meetings.get(r.meetingId);
      return t.recordingName(meeting?.title ?? '?', c.ctx.date(r.startTime ?? r.discoveredAt));
    };
    await c.reply(
      lines([
        t.purgeReport(
          outcome.deleted.map(name),
          outcome.failed.map((f) => t.purgeFailedItem(name(f.recording), f.reason)),
        ),
        t.bbbSoftDeleteNote,
      ]),
    );
  },
});

function pick(c: CommandContext, target: string): RecordingRow[] {
  const { recordings } = c.ctx.stores;
  if (isMeetingRef(target)) {
    const meeting = resolveMeeting(c, target, []);
    return recordings.ofMeeting(meeting.id).filter((r) => r.state !== 'purged');
  }
  const matches = recordings
    .inRoom(c.roomId)
    .filter((r) => r.recordId.startsWith(target) || recordingRef(r.recordId) === target);
  if (matches.length !== 1) throw new CommandRefusal(c.ctx.t.recordingsNone);
  return matches;
}
