// The journal at info level tells a meeting's story (planned, opened recorded or not, links delivered,
// recording ready, deletion confirmed), by IDs only: no titles, names, links or secrets.
import { pino } from 'pino';
import { describe, expect } from 'vitest';
import { ADMIN, ALICE, BOB, ORGANIZER, SECRET } from '../../support/app-harness.js';
import { it } from '../../support/fixtures.js';
import { logSink } from '../../support/log-sink.js';
import { joinLinks, recordedMeetingWithRecording } from '../recordings/support.js';

type LogRecord = { level: number; msg: string } & Record<string, unknown>;

/** The app's journal at info level, kept in memory (a plain pino logger: nothing redacted). */
function journal() {
  const { sink, records } = logSink();
  return { log: pino({ level: 'info' }, sink), records: () => records() as LogRecord[] };
}

const INFO = 30;
const story = (records: LogRecord[]) => records.filter((r) => r.level === INFO).map((r) => r.msg);

describe('the journal', () => {
  it('follows a recorded meeting from planning to the confirmed deletion, by IDs only', async ({
    harness,
  }) => {
    const { records: read, log } = journal();
    const h = await harness({}, { log });
    const { meetingId, recordId } = await recordedMeetingWithRecording(h, 'Salary talks Alice');
    await h.say(ADMIN, `!purge #${meetingId}`);

    const records = read();
    const messages = story(records);
    const order = [
      'meeting planned',
      'meeting opened in BBB, recorded',
      'join link delivered',
      'recording ready and announced',
      'recording deletion confirmed by BBB',
    ];
    const positions = order.map((m) => messages.indexOf(m));
    for (const [i, p] of positions.entries()) expect(p, order[i]).toBeGreaterThanOrEqual(0);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));

    const at = (msg: string) => records.filter((r) => r.msg === msg);
    expect(at('meeting planned')[0]).toMatchObject({
      meetingId,
      invitees: 3,
      recordingAsked: true,
      scheduled: false,
    });
    expect(at('meeting opened in BBB, recorded')[0]).toMatchObject({ meetingId, record: true });
    const delivered = at('join link delivered').map((r) => r.userId);
    expect(delivered.sort()).toEqual([ALICE, BOB, ORGANIZER].sort());
    expect(at('recording ready and announced')[0]).toMatchObject({ meetingId, recordId });
    expect(at('recording deletion confirmed by BBB')[0]).toMatchObject({ meetingId, recordId });
    expect(at('meeting state changed').map((r) => `${r.from}→${r.to}`)).toContain('collecting→open');

    // Nothing personal beyond IDs: no title, display name, join link or secret.
    const text = JSON.stringify(records);
    for (const secretOrPersonal of ['Salary talks', 'Alice"', 'Olga', SECRET, ...joinLinks(h, ALICE)])
      expect(text).not.toContain(secretOrPersonal);
  });

  it('says when a meeting opens without recording', async ({ harness }) => {
    const { records: read, log } = journal();
    const h = await harness({}, { log });
    await h.say(ORGANIZER, `!meeting Quick ${ALICE} --no-record`);
    const records = read();
    expect(records.find((r) => r.msg === 'meeting opened in BBB, not recorded')).toMatchObject({
      record: false,
    });
    expect(story(records)).toContain('join link delivered');
  });
});
