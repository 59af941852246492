/**
 * Query-string encoding for the BBB API.
 *
 * The BBB checksum covers the exact query bytes on the wire (reference §2.1, §2.3), so every key and value is
 * encoded strictly (RFC 3986): Node's `fetch` and browsers rewrite a raw `'` to `%27` after we signed it, which
 * the server then rejects with `checksumError`.
 */

/** A value that may be passed as a query parameter. `undefined`/`null` are dropped, never sent as `key=`. */
export type ParamValue = string | number | boolean | readonly string[] | undefined | null;

/** RFC 3986: only unreserved characters stay literal (`encodeURIComponent` plus `!'()*`). UTF-8 as BBB expects. */
export function encodeStrict(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Builds the query string once, in insertion order. Lists become ONE comma-joined value (`a,b` → `a%2Cb`):
 * bbb-web reads only the first of repeated keys (reference §2.5).
 */
export function buildQuery(params: Readonly<Record<string, ParamValue>>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    const text = Array.isArray(value) ? value.join(',') : String(value);
    parts.push(`${encodeStrict(key)}=${encodeStrict(text)}`);
  }
  return parts.join('&');
}
