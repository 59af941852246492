// How matrix-bot-sdk's requests reach the homeserver: Node's own fetch instead of `request`.
//
// The SDK's own transport is the `request` package (deprecated since 2020; no longer installed here, see
// packages/sdk-unused-dependency) with `forever: true`, a keep-alive agent that keeps up to 256 idle
// sockets open. Node's agent gives each socket a close listener holding the options of the first request
// it carried, and `request` puts itself into those options: every idle socket keeps its first request
// alive, with the whole response. After a large initial sync the bot held the full pool of such sockets,
// and the socket that carried the initial sync kept that response for as long as it lived (figures in
// docs/benchmarks.md, "Idle memory").
// fetch (undici, part of Node) closes idle connections after a few seconds and keeps nothing of a finished
// exchange. matrix-bot-sdk's `setRequestFn` is the SDK's hook for replacing its transport.
//
// At most MAX_REQUESTS_IN_FLIGHT requests are in flight at once, the rest wait their turn in order. The
// SDK fires requests without waiting: the initial sync of many encrypted rooms made it ask for every
// room's encryption state, history visibility and members at once, three requests a room, which the
// kernel logged as a SYN flood, and fetch's connection pool keeps a client object for every connection
// it ever opened at the same time (figures in docs/benchmarks.md, "Idle memory").
import { stringify } from 'node:querystring';
import { setRequestFn } from '@vector-im/matrix-bot-sdk';
import pLimit from 'p-limit';
import { isTimeout, networkReason } from '../../fetch-answers.js';

/** The part of `request`'s options matrix-bot-sdk 0.8 uses (lib/http.js, MatrixClient.uploadContentFromUrl). */
export interface SdkRequestParams {
  uri: string;
  method: string;
  /** Query parameters; arrays repeat the key (`useQuerystring`), as `request` with node:querystring does. */
  qs?: Record<string, unknown> | null;
  /** undefined: the body as a string; null: as a Buffer (media). */
  encoding?: null | string;
  timeout?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/**
 * The part of `request`'s response the SDK reads. `body` is a Buffer for media, else the parsed JSON (the
 * text when it is not JSON).
 */
export interface SdkResponse {
  statusCode: number;
  statusMessage: string;
  headers: Record<string, string>;
  body: unknown;
}

type Callback = (error: Error | null, response?: SdkResponse, body?: unknown) => void;

/**
 * Requests to the homeserver in flight at once, the /sync long-poll among them. Browsers allow 6
 * connections per server over HTTP/1.1; a Synapse without workers is one Python process, for which
 * more requests at once only wait there instead of here.
 */
export const MAX_REQUESTS_IN_FLIGHT = 16;
const inFlight = pLimit(MAX_REQUESTS_IN_FLIGHT);

/** `request`'s calling convention, on fetch. Network errors pass the socket's own error (code ECONNREFUSED, …). */
export function fetchRequest(params: SdkRequestParams, callback: Callback): void {
  // The request's timeout counts from when it is sent, not from when it was queued.
  inFlight(() => exchange(params)).then(
    (response) => callback(null, response, response.body),
    (error: unknown) => callback(transportError(error, params.timeout)),
  );
}

async function exchange(params: SdkRequestParams): Promise<SdkResponse> {
  const method = params.method.toUpperCase();
  const res = await fetch(withQuery(params.uri, params.qs), {
    method,
    headers: params.headers,
    body: params.body,
    // As `request`: redirects are followed for GET and HEAD only; other methods see the 3xx.
    redirect: method === 'GET' || method === 'HEAD' ? 'follow' : 'manual',
    signal: params.timeout ? AbortSignal.timeout(params.timeout) : undefined,
  });
  return {
    statusCode: res.status,
    statusMessage: res.statusText,
    headers: Object.fromEntries(res.headers),
    body: params.encoding === null ? Buffer.from(await res.arrayBuffer()) : parsedOrText(await res.text()),
  };
}

/**
 * JSON parsed here, once. The SDK parses a string body twice, once as the response's body and once as
 * the body it returns: for a large initial sync, two copies of it as objects (docs/benchmarks.md).
 */
function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // not JSON (an HTML error page of a proxy): the SDK keeps such a body as text, too
  }
}

function withQuery(uri: string, qs: SdkRequestParams['qs']): string {
  const query = qs ? stringify(qs as Parameters<typeof stringify>[0]) : '';
  if (!query) return uri;
  return `${uri}${uri.includes('?') ? '&' : '?'}${query}`;
}

function transportError(error: unknown, timeoutMs: number | undefined): Error {
  if (isTimeout(error))
    return Object.assign(new Error(networkReason(error, timeoutMs ?? 0)), { code: 'ETIMEDOUT' });
  // fetch fails with TypeError('fetch failed'), its cause the socket's error: pass that, as `request` did.
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return cause;
  return error instanceof Error ? error : new Error(String(error));
}

/** Routes all of matrix-bot-sdk's HTTP through fetchRequest (process-wide, as the SDK's hook is). */
export function useFetchTransport(): void {
  setRequestFn(fetchRequest);
}
