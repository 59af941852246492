import type { RecordingRow } from '../app/command-services.js';
import { lines } from '../i18n/rich.js';
import { type CommandContext, CommandError, defineCommand } from './command.js';
import { isMeetingRef, resolveMeeting } from './meeting-ref.js';
import { ProgressMessage } from './progress.js';
import { recordingRef } from './recordings.js';

/** Progress edits at most this often, so a long purge does not flood the room. */
const PROGRESS_EVERY_MS = 1000;

export default defineCommand<'meetings' | 'recordings' | 'progress'>({
  name: 'purge',
  usage: 'purge <#meeting | recording> | purge --expired',
  permission: 'admin',
  options: { expired: { type: 'boolean' } },
  async run(c, args) {
    const { t } = c;
    const { recordings } = c.services;
    const target = args.words[0];
    if ((args.options.expired === true) === (target !== undefined) || args.words.length > 1)
      throw CommandError.usage();
    const rows = args.options.expired ? recordings.dueForPurge() : await pick(c, target!);
    if (!rows.length) {
      await c.reply(args.options.expired ? t.purgeNothingExpired : t.recordingsNone);
      return;
    }
    // Only a job of more than one batch shows progress; it then always ends at "total/total".
    const shown = new ProgressMessage(c, c.roomId, PROGRESS_EVERY_MS);
    const progress = (done: number, total: number) => {
      if (total > 50) shown.update(t.purgeProgress(done, total), done === total);
    };
    // --expired runs the retention job itself (same code, same lock as the schedule).
    const outcome = args.options.expired
      ? await recordings.runRetention(progress)
      : await recordings.purge(rows, c.sender, progress);
    await shown.settled();
    recordings.notePurge(c.sender, {
      target: target ?? '--expired',
      deleted: outcome.deleted.length,
      failed: outcome.failed.length,
    });
    const name = (r: RecordingRow) => {
      const meeting = c.services.meetings.get(r.meetingId);
      return t.recordingName(meeting?.title ?? '?', c.date(r.startTime ?? r.discoveredAt));
    };
    await c.reply(
      lines([
        t.purgeReport(
          outcome.deleted.map(name),
          outcome.failed.map((f) => t.purgeFailedItem(name(f.recording), f.reason)),
        ),
        t.deletionMeans(c.settings.finalDeletion),
      ]),
    );
  },
});

async function pick(c: CommandContext<'meetings' | 'recordings'>, target: string): Promise<RecordingRow[]> {
  const { recordings } = c.services;
  if (isMeetingRef(target)) {
    const meeting = resolveMeeting(c, target, []);
    // A meeting that just ended may have a recording BBB lists and the poll has not seen yet.
    await recordings.discoverMeeting(meeting.id);
    return recordings.ofMeeting(meeting.id).filter((r) => r.state !== 'purged');
  }
  const matches = recordings
    .inRoom(c.roomId)
    .filter((r) => r.recordId.startsWith(target) || recordingRef(r.recordId) === target);
  if (matches.length !== 1) throw CommandError.refusal('recordingsNone');
  return matches;
}
