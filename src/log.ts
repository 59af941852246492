import { LogService, LogLevel as SdkLogLevel } from '@vector-im/matrix-bot-sdk';
import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

// Secrets are scrubbed from every line right before it is written, so no code path (ours or a
// library's) can leak them: the registered secret values, plus anything shaped like a BBB checksum
// or an access token in a URL.
const secrets = new Set<string>();
const PATTERNS: [RegExp, string][] = [
  [/([?&]checksum=)[0-9a-fA-F]{40,128}/g, '$1[redacted]'],
  [/(access_token=)[^&"\s]+/g, '$1[redacted]'],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1[redacted]'],
  [/(signed_parameters=)[A-Za-z0-9._-]+/g, '$1[redacted]'],
];

/** Registers a secret value that must never appear in any log line. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

export function redact(line: string): string {
  let out = line;
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
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
