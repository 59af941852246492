import * as chrono from 'chrono-node';
import type { Language } from '../src/i18n/index.js';

/** Minutes east of UTC of an IANA zone at an instant (chrono understands offsets, not zone names). */
export function zoneOffsetMinutes(timezone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/**
 * Parses a start time as people write it ("morgen 10:00", "tomorrow 10am", "2026-12-01 14:30",
 * "in 30 Minuten") in the configured language and time zone; future-leaning. Null if not understood.
 */
export function parseWhen(input: string, language: Language, timezone: string, now: number): number | null {
  const parser = language === 'de' ? chrono.de : chrono.en;
  const parseAt = (offset: number) =>
    parser.parseDate(input, { instant: new Date(now), timezone: offset }, { forwardDate: true });
  const first = parseAt(zoneOffsetMinutes(timezone, new Date(now)));
  if (!first) return null;
  // Across a DST change the offset at the meeting differs from the offset now: parse again with it.
  const offsetThen = zoneOffsetMinutes(timezone, first);
  const result = offsetThen === zoneOffsetMinutes(timezone, new Date(now)) ? first : parseAt(offsetThen);
  return result ? result.getTime() : null;
}
