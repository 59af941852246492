// A pass-through HTTP proxy in front of the homeserver that can stop one chosen request in flight: a
// test points the bot at it to catch the bot at an exact step (its key upload) and kill it there.
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HeldRequest {
  method: string;
  path: string;
  body: string;
  /** The homeserver's answer to a held request (never relayed). */
  response?: { status: number; body: string };
}

interface Hold {
  matches: (method: string, path: string) => boolean;
  resolve: (held: HeldRequest) => void;
}

export interface HomeserverProxy {
  url: string;
  /**
   * Holds the next request whose method and path (without query) match, resolving once the homeserver
   * answered it: that answer never reaches the client. Everything else passes through.
   */
  holdNext(method: string, path: RegExp): Promise<HeldRequest>;
  /** Every request so far whose method and path (without query) match, held or passed, oldest first. */
  seen(method: string, path: RegExp): HeldRequest[];
  close(): Promise<void>;
}

export async function startHomeserverProxy(target: string): Promise<HomeserverProxy> {
  const upstream = new URL(target);
  if (upstream.protocol !== 'http:') throw new Error(`the proxy speaks plain HTTP only, not ${target}`);
  const holds: Hold[] = [];
  const log: HeldRequest[] = [];

  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const out = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        resolve,
      );
      out.on('error', reject);
      out.end(body);
    });

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0]!;
    const i = holds.findIndex((h) => h.matches(method, path));
    const hold = i >= 0 ? holds.splice(i, 1)[0] : undefined;
    log.push({ method, path, body: body.toString('utf8') });
    try {
      const answer = await forward(req, body);
      if (hold) {
        const parts: Buffer[] = [];
        for await (const chunk of answer) parts.push(chunk as Buffer);
        const response = { status: answer.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') };
        // and never answer: the client waits until it dies
        hold.resolve({ method, path, body: body.toString('utf8'), response });
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    } catch (err) {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${(err as Error).message}`);
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    holdNext(method, path) {
      return new Promise((resolve) => {
        holds.push({ matches: (m, p) => m === method && path.test(p), resolve });
      });
    },
    seen(method, path) {
      return log.filter((r) => r.method === method && path.test(r.path));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
