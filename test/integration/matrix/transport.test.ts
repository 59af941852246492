// matrix-bot-sdk's requests go through Node's fetch (src/matrix/sdk/transport.ts) instead of the `request`
// package. Exercised through the SDK's own client calls against a small HTTP stand-in of a homeserver:
// what the homeserver receives, what the SDK makes of the answers (errors the bot's retry logic reads),
// and that idle connections are let go instead of kept by the hundred.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { MatrixError } from '@vector-im/matrix-bot-sdk';
import { beforeEach, describe, expect, it } from 'vitest';
import { BotMatrixClient } from '../../../src/matrix/sdk/client.js';
import { fetchRequest, MAX_REQUESTS_IN_FLIGHT, type SdkResponse } from '../../../src/matrix/sdk/transport.js';
import { tsx } from '../../support/run-to-end.js';
import { bytesOf, json, type StandIn, serve } from '../../support/stand-in-servers.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

let hs: StandIn;
let server: Server;
let client: BotMatrixClient;
let baseUrl: string;
let seen: Seen[];
/** Answers by path; the default echoes {ok: true}. */
let answer: (req: Seen, res: ServerResponse) => void;

beforeEach(async () => {
  seen = [];
  answer = (_req, res) => res.end(JSON.stringify({ ok: true }));
  hs = await serve(async (req, res) => {
    const body = await bytesOf(req);
    const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
    seen.push(entry);
    res.setHeader('content-type', 'application/json');
    answer(entry, res);
  });
  ({ server, url: baseUrl } = hs);
  // Like Synapse, the stand-in never closes an idle keep-alive connection itself (Node's server would after 5 s).
  server.keepAliveTimeout = 0;
  client = new BotMatrixClient(baseUrl, 'secret-token');
});

describe('the SDK through the fetch transport', () => {
  it('sends query parameters as the SDK means them (arrays repeat the key) and returns the parsed JSON', async () => {
    const result = await client.doRequest('GET', '/_matrix/client/v3/things', {
      membership: 'join',
      not_membership: ['leave', 'ban'],
      limit: 10,
      full_state: false,
    });
    expect(result).toEqual({ ok: true });
    expect(seen[0]!.method).toBe('GET');
    expect(seen[0]!.url).toBe(
      '/_matrix/client/v3/things?membership=join&not_membership=leave&not_membership=ban&limit=10&full_state=false',
    );
    expect(seen[0]!.headers.authorization).toBe('Bearer secret-token');
  });

  it('sends a JSON body with its content type', async () => {
    await client.sendStateEvent('!room:example.org', 'm.room.topic', '', { topic: 'Wöchentlich' });
    expect(seen[0]!.method).toBe('PUT');
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[0]!.body.toString('utf8'))).toEqual({ topic: 'Wöchentlich' });
  });

  it('uploads and downloads bytes unchanged (media)', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    answer = (req, res) => {
      if (req.method === 'POST') return res.end(JSON.stringify({ content_uri: 'mxc://example.org/abc' }));
      res.setHeader('content-type', 'application/octet-stream');
      res.end(bytes);
    };
    const mxc = await client.uploadContent(bytes, 'application/octet-stream', 'x.bin');
    expect(mxc).toBe('mxc://example.org/abc');
    expect(seen[0]!.body.equals(bytes)).toBe(true);
    expect(seen[0]!.headers['content-type']).toBe('application/octet-stream');
    const downloaded = await client.doRequest(
      'GET',
      '/_matrix/media/v3/download/x',
      null,
      null,
      60_000,
      true,
      undefined,
      true,
    );
    expect(Buffer.isBuffer(downloaded.body)).toBe(true);
    expect((downloaded.body as Buffer).equals(bytes)).toBe(true);
  });

  it("turns a rate limit into the MatrixError the bot retries on, with the homeserver's wait", async () => {
    answer = (_req, res) =>
      json(res, 429, { errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests', retry_after_ms: 1234 });
    const error = await client.doRequest('GET', '/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MatrixError);
    expect(error).toMatchObject({ statusCode: 429, retryAfterMs: 1234 });
  });

  it('parses a JSON answer once: the SDK gets the same object as the response body and as the body', async () => {
    // The SDK parses a string body twice (as response.body and as the body it returns); for an initial
    // sync that is two copies of a large response at once.
    answer = (_req, res) => res.end(JSON.stringify({ next_batch: 's1', rooms: { join: {} } }));
    const { response, body } = await new Promise<{ response: SdkResponse; body: unknown }>(
      (resolve, reject) =>
        fetchRequest({ uri: `${baseUrl}/_matrix/client/v3/sync`, method: 'GET' }, (error, response, body) =>
          error ? reject(error) : resolve({ response: response!, body }),
        ),
    );
    expect(body).toEqual({ next_batch: 's1', rooms: { join: {} } });
    expect(response.body).toBe(body);
  });

  it('rejects with the status of an answer that is not a Matrix error', async () => {
    answer = (_req, res) => {
      res.statusCode = 502;
      res.setHeader('content-type', 'text/html');
      res.end('<h1>Bad Gateway</h1>');
    };
    await expect(client.doRequest('GET', '/x')).rejects.toMatchObject({
      statusCode: 502,
      body: '<h1>Bad Gateway</h1>',
    });
  });

  it('passes the socket error when the homeserver is down, and a timeout when it does not answer', async () => {
    answer = () => {}; // never answers
    await expect(client.doRequest('GET', '/x', null, null, 200)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    await hs.close();
    await expect(client.doRequest('GET', '/x')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('lets idle connections go after a burst, instead of keeping them open', async () => {
    answer = (_req, res) => setTimeout(() => res.end('{}'), 50);
    await Promise.all(Array.from({ length: 40 }, (_, i) => client.doRequest('GET', `/burst/${i}`)));
    const open = () => new Promise<number>((r) => server.getConnections((_e, n) => r(n)));
    expect(await open()).toBeGreaterThan(1); // the burst did open connections in parallel
    const deadline = Date.now() + 10_000;
    while ((await open()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await open()).toBe(0);
  }, 15_000);

  it('sends a burst at most MAX_REQUESTS_IN_FLIGHT at a time, and answers every request', async () => {
    let now = 0;
    let most = 0;
    answer = (_req, res) => {
      now += 1;
      most = Math.max(most, now);
      setTimeout(() => {
        now -= 1;
        res.end('{}');
      }, 20);
    };
    const burst = Array.from({ length: 100 }, (_, i) => client.doRequest('GET', `/burst/${i}`));
    expect(await Promise.all(burst)).toHaveLength(100);
    expect(most).toBe(MAX_REQUESTS_IN_FLIGHT);
    expect(new Set(seen.map((s) => s.url)).size).toBe(100);
  });

  it('gives a waiting request its turn when the ones ahead of it time out', async () => {
    answer = (req, res) => {
      if (req.url !== '/next') return; // the ones ahead never answer
      res.end(JSON.stringify({ ok: true }));
    };
    const stuck = Array.from({ length: MAX_REQUESTS_IN_FLIGHT }, () =>
      client.doRequest('GET', '/stuck', null, null, 300).catch((e: NodeJS.ErrnoException) => e.code),
    );
    const next = client.doRequest('GET', '/next', null, null, 300);
    // Its timeout counts from when it is sent: queued behind 300 ms of waiting, it is still answered.
    expect(await next).toEqual({ ok: true });
    expect(await Promise.all(stuck)).toEqual(Array(MAX_REQUESTS_IN_FLIGHT).fill('ETIMEDOUT'));
  });
});

// The README's promise for operators behind a proxy: the bot's Matrix requests use HTTP_PROXY/HTTPS_PROXY
// once NODE_USE_ENV_PROXY=1 is set (and only then, unlike `request`, which read them by itself). A bot
// process of its own, because Node reads the variables at start-up. The proxy is a stand-in that answers
// CONNECT (as squid does; Node's proxy support tunnels every request) by tunnelling to the homeserver
// stand-in above, whatever host was asked for.
describe('behind an HTTP proxy', () => {
  const SCRIPT = `
    import { BotMatrixClient } from './src/matrix/sdk/client.ts';
    const client = new BotMatrixClient('http://homeserver.invalid:8008', 'secret-token');
    client.doRequest('GET', '/_matrix/client/versions').then(
      (body) => console.log(JSON.stringify(body)),
      (error) => console.log(JSON.stringify({ failed: error.code ?? error.message })),
    );
  `;
  let proxyUrl: string;
  let tunnels: string[];

  beforeEach(async () => {
    tunnels = [];
    const proxy = await serve();
    proxy.server.on('connect', (req: IncomingMessage, client: Socket) => {
      tunnels.push(req.url ?? '');
      const upstream = connect((server.address() as AddressInfo).port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    proxyUrl = proxy.url;
  });

  const botWith = async (env: Record<string, string>) => {
    const { stdout } = await tsx('--input-type=module', ['-e', SCRIPT], {
      env: { ...process.env, HTTP_PROXY: proxyUrl, NO_PROXY: '', ...env },
      timeout: 20_000,
    });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  };

  it('goes through the proxy with NODE_USE_ENV_PROXY=1, and straight to the homeserver without it', async () => {
    expect(await botWith({ NODE_USE_ENV_PROXY: '1' })).toEqual({ ok: true });
    expect(tunnels).toEqual(['homeserver.invalid:8008']);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('/_matrix/client/versions');
    expect(seen[0]!.headers.authorization).toBe('Bearer secret-token');

    const direct = await botWith({ NODE_USE_ENV_PROXY: '' });
    expect(direct.failed).toBe('ENOTFOUND');
    expect(tunnels).toHaveLength(1);
  }, 45_000);
});
