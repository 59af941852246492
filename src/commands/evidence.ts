import { formatEvidence } from '../evidence/format.js';
import { buildEvidence } from '../evidence/report.js';
import { defineCommand, UsageError } from './command.js';
import { CommandRefusal, isMeetingRef } from './meeting-ref.js';

/**
 * `!evidence [#meeting] [--format csv|json]` (admins): the consent evidence report of one meeting of
 * this room, or of all its meetings, as a file in the admin's direct-message room, never in the room.
 * The same report as `npm run evidence`.
 */
export default defineCommand({
  name: 'evidence',
  usage: 'evidence [#meeting] [--format csv|json]',
  permission: 'admin',
  options: { format: { type: 'string' } },
  async run(c, args) {
    const { t, stores } = c.ctx;
    const format = args.options.format ?? 'csv';
    if (format !== 'csv' && format !== 'json') throw new UsageError();
    const ref = args.words[0];
    if (args.words.length > 1 || (ref !== undefined && !isMeetingRef(ref))) throw new UsageError();
    const meetingId = ref === undefined ? undefined : Number(ref.replace('#', ''));
    const report = buildEvidence(
      stores.db,
      meetingId === undefined ? { roomId: c.roomId } : { meetingId, roomId: c.roomId },
      c.ctx.now(),
    );
    if (report.meetings.length === 0) {
      throw new CommandRefusal(meetingId === undefined ? t.evidenceNone : t.noMeeting);
    }
    const day = report.generatedAt.slice(0, 10);
    const name = `evidence-${meetingId === undefined ? 'room' : `meeting-${meetingId}`}-${day}.${format}`;
    const data = Buffer.from(formatEvidence(report, format), 'utf8');
    const dm = await c.app.directRooms.get(c.sender);
    await c.ctx.chat.send(dm, t.evidenceFile(name));
    await c.ctx.chat.sendFile(dm, {
      name,
      mimetype: format === 'json' ? 'application/json' : 'text/csv; charset=utf-8',
      data,
    });
    stores.audit.append({
      at: c.ctx.now(),
      actorId: c.sender,
      action: 'admin.evidence',
      details: { meetings: report.meetings.map((m) => m.id), format },
    });
    await c.reply(t.evidenceSent(report.meetings.length));
  },
});
