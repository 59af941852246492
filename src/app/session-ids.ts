import { randomBytes } from 'node:crypto';

/** BBB meeting IDs: stable prefix for operators, unguessable suffix, within [A-Za-z0-9_-]. */
export function newBbbMeetingId(meetingId: number): string {
  return `meetbot-${meetingId}-${randomBytes(6).toString('hex')}`;
}
