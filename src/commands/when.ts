import * as chrono from 'chrono-node';
import type { Language } from '../i18n/index.js';

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

export type When =
  | { ok: true; at: number }
  | { ok: false; problem: 'not-understood' | 'no-clock-time' | 'dst-gap' | 'past'; at?: number };

/** A start more than this far before now is in the past (a minute's grace for typing). */
const PAST_GRACE_MS = 60_000;

/**
 * Parses a start time as people write it ("morgen 10:00", "tomorrow 10am", "2026-12-01 14:30",
 * "in 30 Minuten") in the configured time zone, future-leaning. German and English are both
 * understood whatever the bot's language (its own first); the parser must account for the whole
 * input, so "tomorrow 10am" is never read by the German parser as "10am today". Refused, never
 * silently changed: a time that is not understood, a day without a clock time, a wall-clock time
 * that does not exist in the zone (the hour skipped when DST starts), and a time in the past.
 */
export function parseWhen(input: string, language: Language, timezone: string, now: number): When {
  const text = input.trim().replace(/\s+/g, ' ');
  // en-GB: day before month (01.12.2026 is 1 December), as in German.
  const parsers = language === 'de' ? [chrono.de.casual, chrono.en.GB] : [chrono.en.GB, chrono.de.casual];
  for (const parser of parsers) {
    const result = parseWhole(parser, text, timezone, now);
    if (!result) continue;
    const at = result.start.date().getTime();
    if (at < now - PAST_GRACE_MS) return { ok: false, problem: 'past', at };
    if (!result.start.isCertain('hour')) return { ok: false, problem: 'no-clock-time' };
    if (!existsInZone(result.start, at, timezone)) return { ok: false, problem: 'dst-gap' };
    return { ok: true, at };
  }
  return { ok: false, problem: 'not-understood' };
}

/** The one result that covers the whole text (punctuation aside), parsed with the zone's offset then. */
function parseWhole(
  parser: chrono.Chrono,
  text: string,
  timezone: string,
  now: number,
): chrono.ParsedResult | null {
  const parseAt = (offset: number) => {
    const results = parser.parse(text, { instant: new Date(now), timezone: offset }, { forwardDate: true });
    const only = results.length === 1 ? results[0] : undefined;
    if (!only) return null;
    const rest = text.slice(0, only.index) + text.slice(only.index + only.text.length);
    return /^[\s.,;!]*$/.test(rest) ? only : null;
  };
  const offsetNow = zoneOffsetMinutes(timezone, new Date(now));
  const first = parseAt(offsetNow);
  if (!first) return null;
  // Across a DST change the offset at the meeting differs from the offset now: parse again with it.
  const offsetThen = zoneOffsetMinutes(timezone, first.start.date());
  return offsetThen === offsetNow ? first : parseAt(offsetThen);
}

/** False if the wall-clock time asked for is not what the zone shows at that instant (a DST gap). */
function existsInZone(start: chrono.ParsedComponents, at: number, timezone: string): boolean {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return (
    get('year') === start.get('year') &&
    get('month') === start.get('month') &&
    get('day') === start.get('day') &&
    get('hour') === start.get('hour') &&
    get('minute') === (start.get('minute') ?? 0)
  );
}
