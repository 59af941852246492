import { XMLParser } from 'fast-xml-parser';
import { BbbError, type BbbErrorDetail, BbbUnavailableError } from './errors.js';

/**
 * XML parsing of bbb-web responses (reference §3.0, §7.5).
 *
 * - `parseTagValue: false`: every value stays a string, so IDs like `007` or `1e5` are never turned into numbers
 *   (the bigbluebutton-js defect, reference §7.2). Booleans and numbers are converted field by field.
 * - `ignoreAttributes: false`: thumbnail width/height/alt survive.
 * - `isArray` for the repeating paths: one element and many elements both give arrays. An empty element (`<x/>`)
 *   parses as `""`, which {@link list} maps to `[]`.
 * - `htmlEntities: true`: character references (`&#x27;`, `&#233;`) are decoded, once, as a load balancer that
 *   renders its XML through an HTML template sends them (reference §3.7); CDATA stays as it is.
 */

export type XmlNode = Record<string, unknown>;

const ARRAY_PATHS = new Set([
  'response.meetings.meeting',
  'response.meetings.meeting.attendees.attendee',
  'response.attendees.attendee',
  'response.breakoutRooms.breakout',
  'response.recordings.recording',
  'response.recordings.recording.playback.format',
  'response.recordings.recording.playback.format.preview.images.image',
  'response.hooks.hook',
  'response.errors.error',
]);

export const ATTR_PREFIX = '@_';
const TEXT_KEY = '#text';

const parser = new XMLParser({
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: false,
  attributeNamePrefix: ATTR_PREFIX,
  textNodeName: TEXT_KEY,
  ignoreDeclaration: true,
  htmlEntities: true,
  jPath: true,
  isArray: (_name, jpath, _leaf, isAttribute) => !isAttribute && ARRAY_PATHS.has(String(jpath)),
});

/** Parses any XML document with the options above. Throws on malformed XML. */
export function parseXml(xml: string): XmlNode {
  return parser.parse(xml, true) as XmlNode;
}

/** Text content of an element (`""` when missing or empty; `#text` when the element has attributes). */
export function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const inner = (value as XmlNode)[TEXT_KEY];
    return typeof inner === 'string' ? inner : '';
  }
  return '';
}

/** Optional text: `undefined` when the element is missing or empty. */
export function optText(value: unknown): string | undefined {
  const t = text(value);
  return t === '' ? undefined : t;
}

/** BBB booleans are the lowercase literals `true`/`false` (reference §1). */
export function bool(value: unknown): boolean {
  return text(value).trim() === 'true';
}

/** Plain digits (epoch ms, counts, minutes); missing or malformed → 0. */
export function num(value: unknown): number {
  const t = text(value).trim();
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : 0;
}

export function optNum(value: unknown): number | undefined {
  const t = text(value).trim();
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : undefined;
}

/** A repeating element as an array: missing or empty (`<recordings/>`) → `[]`. */
export function list(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value === undefined || value === null || value === '') return [];
  return [value];
}

/** A container element as an object: missing or empty → `{}`. */
export function obj(value: unknown): XmlNode {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as XmlNode) : {};
}

/** Element children as `name → text` (metadata, customdata); attributes are skipped. */
export function stringMap(value: unknown): Record<string, string> {
  const entries: [string, string][] = [];
  for (const [key, child] of Object.entries(obj(value))) {
    if (key.startsWith(ATTR_PREFIX) || key === TEXT_KEY) continue;
    entries.push([key, text(Array.isArray(child) ? child[0] : child)]);
  }
  // Object.fromEntries defines own properties, so a `__proto__` element name cannot pollute prototypes.
  return Object.fromEntries(entries);
}

export function attr(value: unknown, name: string): string | undefined {
  const a = obj(value)[ATTR_PREFIX + name];
  return typeof a === 'string' ? a : undefined;
}

/**
 * Parses a BBB response envelope and returns `<response>`. Throws {@link BbbError} for `FAILED` in both forms
 * (`messageKey`/`message`, or `<errors><error><key>…`; reference §3.0), and {@link BbbUnavailableError}
 * (`invalid-response`) when the body is not a BBB envelope (e.g. a proxy's HTML error page).
 */
export function parseEnvelope(call: string, xml: string): XmlNode {
  let doc: XmlNode;
  try {
    doc = parseXml(xml);
  } catch (err) {
    throw new BbbUnavailableError(call, 'invalid-response', 'response is not well-formed XML', {
      cause: err,
    });
  }
  const response = doc.response;
  if (response === null || typeof response !== 'object' || Array.isArray(response)) {
    throw new BbbUnavailableError(call, 'invalid-response', 'no <response> element');
  }
  const r = response as XmlNode;
  const returncode = text(r.returncode).trim();
  if (returncode === 'SUCCESS') return r;
  if (returncode === 'FAILED') {
    const errors: BbbErrorDetail[] = list(obj(r.errors).error).map((e) => ({
      key: text(obj(e).key),
      message: text(obj(e).message),
    }));
    const first = errors[0];
    const messageKey = text(r.messageKey) || first?.key || 'unknown';
    const message = text(r.message) || first?.message || '';
    throw new BbbError(call, messageKey, message, errors.length > 0 ? errors : undefined);
  }
  throw new BbbUnavailableError(call, 'invalid-response', `unexpected returncode "${returncode}"`);
}
