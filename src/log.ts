import { LogService, LogLevel as SdkLogLevel } from '@vector-im/matrix-bot-sdk';
import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

// Secrets are scrubbed from every line right before it is written, so no code path (ours or a
// library's) can leak them: the registered secret values in every form they can take in a line
// (raw, JSON-escaped once or twice, HTML-escaped, URL-encoded), plus anything shaped like a BBB
// checksum, an access token or a guest's token in a URL, also where the URL itself is HTML-escaped or URL-encoded.
const secretForms = new Set<string>();
/** Longest first, so that a longer form is never cut apart by a shorter one it contains. */
let orderedForms: string[] = [];
// `=` as it appears raw, URL-encoded (once or twice), JSON-unicode-escaped or as an HTML entity.
const EQ = String.raw`(?:=|%3D|%253D|\\+u003[dD]|&#61;|&#x3[dD];|&equals;)`;
const PATTERNS: [RegExp, string][] = [
  [new RegExp(`(checksum${EQ})[0-9a-fA-F]{40,128}`, 'gi'), '$1[redacted]'],
  [new RegExp(String.raw`(access_token${EQ})[^&"\s\\%;]+`, 'gi'), '$1[redacted]'],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1[redacted]'],
  [new RegExp(`(signed_parameters${EQ})[A-Za-z0-9._-]+`, 'gi'), '$1[redacted]'],
  // A guest's link (`<http.publicUrl>/g/<token>`): the token is their credential (design.md §3.11).
  [/(\/g\/|%2Fg%2F)[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/gi, '$1[redacted]'],
];

/** Registers a secret value that must never appear in any log line, in any escaped form. */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < 4) return;
  for (const form of escapedForms(value)) secretForms.add(form);
  orderedForms = [...secretForms].sort((a, b) => b.length - a.length);
}

/**
 * The forms a secret takes on its way into a log line: as a JSON string value (pino escapes quotes and
 * backslashes), inside a JSON text that is itself logged as a string (escaped twice, e.g. a request body the
 * SDK logs), HTML-escaped (formatted message bodies), and URL-encoded (query strings).
 */
export function escapedForms(secret: string): string[] {
  // Escapers differ in how (and whether) they write quotes: every combination.
  const html = ['"', '&quot;', '&#34;', '&#x22;'].flatMap((dq) =>
    ["'", '&apos;', '&#39;', '&#x27;'].map((sq) => htmlEscape(secret, { '"': dq, "'": sq })),
  );
  const strict = encodeURIComponent(secret).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  const url = [encodeURIComponent(secret), strict, strict.replace(/%20/g, '+')];
  const lower = url.map((u) => u.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
  const base = [secret, ...html, ...url, ...lower];
  const forms = new Set<string>();
  for (const form of base) {
    const once = jsonEscape(form);
    forms.add(form).add(once).add(jsonEscape(once));
  }
  return [...forms].filter((f) => f.length >= 4);
}

function jsonEscape(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

function htmlEscape(text: string, quotes: Record<string, string>): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : (quotes[c] ?? c),
  );
}

export function redact(line: string): string {
  let out = line;
  for (const form of orderedForms) if (out.includes(form)) out = out.split(form).join('[redacted]');
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

export function createLogger(
  level: string,
  destination: pino.DestinationStream = pino.destination({ dest: 1, sync: false }),
): Logger {
  return pino(
    {
      level,
      base: { name: 'meetbot' },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: { streamWrite: redact },
    },
    destination,
  );
}

/** Routes matrix-bot-sdk's LogService into our logger (the hookshot/Draupnir way). */
export function routeMatrixSdkLogs(logger: Logger): void {
  const sdk = logger.child({ component: 'matrix-bot-sdk' });
  const forward =
    (method: 'trace' | 'debug' | 'info' | 'warn' | 'error') =>
    (module: string, ...messageOrObject: unknown[]) => {
      const [first, ...rest] = messageOrObject;
      const errors = messageOrObject.filter((m): m is Error => m instanceof Error);
      const text = [first, ...rest]
        .filter((m) => !(m instanceof Error))
        .map((m) => (typeof m === 'string' ? m : safeJson(m)))
        .join(' ');
      // The SDK logs every non-2xx answer as an error, but a 404 is an expected answer to "is this
      // room encrypted?" or "is there m.direct account data?"; the caller handles it.
      const level =
        method === 'error' && module === 'MatrixHttpClient' && text.includes('"M_NOT_FOUND"')
          ? 'debug'
          : method;
      sdk[level]({ module, ...(errors[0] ? { err: errors[0] } : {}) }, text);
    };
  LogService.setLogger({
    trace: forward('trace'),
    debug: forward('debug'),
    info: forward('info'),
    warn: forward('warn'),
    error: forward('error'),
  });
  LogService.setLevel(sdkLevel(logger.level));
  // Every sync response at debug level drowns everything else.
  LogService.muteModule('Metrics');
}

function sdkLevel(level: string): SdkLogLevel {
  switch (level) {
    case 'trace':
      return SdkLogLevel.TRACE;
    case 'debug':
      return SdkLogLevel.DEBUG;
    case 'info':
      return SdkLogLevel.INFO;
    case 'warn':
      return SdkLogLevel.WARN;
    default:
      return SdkLogLevel.ERROR;
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
