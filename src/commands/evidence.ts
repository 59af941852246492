import { formatEvidence } from '../evidence/format.js';
import { CommandError, defineCommand } from './command.js';
import { isMeetingRef } from './meeting-ref.js';

/**
 * `!evidence [#meeting] [--format csv|json]` (admins): the consent evidence report of one meeting of
 * this room, or of all its meetings, as a file in the admin's direct-message room, never in the room.
 * The same report as `npm run evidence`.
 */
export default defineCommand<'evidence' | 'direct'>({
  name: 'evidence',
  usage: 'evidence [#meeting] [--format csv|json]',
  permission: 'admin',
  options: { format: { type: 'string' } },
  async run(c, args) {
    const { t } = c;
    const { evidence, direct } = c.services;
    const format = args.options.format ?? 'csv';
    if (format !== 'csv' && format !== 'json') throw CommandError.usage();
    const ref = args.words[0];
    if (args.words.length > 1 || (ref !== undefined && !isMeetingRef(ref))) throw CommandError.usage();
    const meetingId = ref === undefined ? undefined : Number(ref.replace('#', ''));
    const report = evidence.report(
      meetingId === undefined ? { roomId: c.roomId } : { meetingId, roomId: c.roomId },
    );
    if (report.meetings.length === 0) {
      throw CommandError.refusal(meetingId === undefined ? 'evidenceNone' : 'noMeeting');
    }
    const day = report.generatedAt.slice(0, 10);
    const name = `evidence-${meetingId === undefined ? 'room' : `meeting-${meetingId}`}-${day}.${format}`;
    const data = Buffer.from(formatEvidence(report, format), 'utf8');
    const dm = await direct.roomOf(c.sender);
    await direct.send(dm, t.evidenceFile(name));
    await direct.sendFile(dm, {
      name,
      mimetype: format === 'json' ? 'application/json' : 'text/csv; charset=utf-8',
      data,
    });
    evidence.noteSent(
      c.sender,
      report.meetings.map((m) => m.id),
      format,
    );
    await c.reply(t.evidenceSent(report.meetings.length));
  },
});
