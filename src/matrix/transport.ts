// How matrix-bot-sdk's requests reach the homeserver: Node's own fetch instead of `request`.
//
// The SDK sends every request through the `request` package (deprecated since 2020) with `forever: true`,
// a keep-alive agent that keeps up to 256 idle sockets open. Node's agent gives each socket a close
// listener holding the options of the first request it carried, and `request` puts itself into those
// options: every idle socket keeps its first request alive, with the whole response. After the initial
// sync of 300 encrypted rooms the bot held 256 such sockets (7 MiB of V8 heap, more outside it), and the
// socket that carried the initial sync kept that response for as long as it lived (docs/benchmarks.md).
// fetch (undici, part of Node) closes idle connections after a few seconds and keeps nothing of a finished
// exchange. matrix-bot-sdk's `setRequestFn` is the SDK's hook for replacing its transport.
import { stringify } from 'node:querystring';
import { setRequestFn } from '@vector-im/matrix-bot-sdk';
import { isTimeout, networkReason } from '../http/fetch-answers.js';

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

/** The part of `request`'s response the SDK reads; it replaces `body` with the parsed JSON itself. */
export interface SdkResponse {
  statusCode: number;
  statusMessage: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

type Callback = (error: Error | null, response?: SdkResponse, body?: string | Buffer) => void;

/** `request`'s calling convention, on fetch. Network errors pass the socket's own error (code ECONNREFUSED, …). */
export function fetchRequest(params: SdkRequestParams, callback: Callback): void {
  exchange(params).then(
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
  const bytes = Buffer.from(await res.arrayBuffer());
  return {
    statusCode: res.status,
    statusMessage: res.statusText,
    headers: Object.fromEntries(res.headers),
    body: params.encoding === null ? bytes : bytes.toString('utf8'),
  };
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
