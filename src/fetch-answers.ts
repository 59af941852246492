// What a fetch() to another server answered, in words an operator can act on. Shared by the preflight
// checks, the bot's own device calls (src/matrix/sdk/login.ts) and the SDK's transport (src/matrix/sdk/transport.ts).

/** The JSON object a response carries, or null (no JSON, or not an object). */
export async function jsonOf(res: Response): Promise<Record<string, unknown> | null> {
  try {
    const value = (await res.json()) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Whether a fetch() failed because its AbortSignal's time ran out (or it was aborted). */
export function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** Why a fetch() got no answer: a timeout, or the socket error (ECONNREFUSED, ENOTFOUND, …). */
export function networkReason(error: unknown, timeoutMs: number): string {
  if (isTimeout(error)) return `no answer within ${timeoutMs} ms`;
  // fetch: TypeError('fetch failed') caused by the socket error, or by an AggregateError of them.
  const cause =
    error instanceof Error
      ? (error.cause as { code?: string; message?: string; errors?: { code?: string }[] } | undefined)
      : undefined;
  return (
    cause?.code ??
    cause?.errors?.[0]?.code ??
    cause?.message ??
    (error instanceof Error ? error.message : String(error))
  );
}
