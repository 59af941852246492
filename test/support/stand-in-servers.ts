// HTTP stand-ins on loopback for the integration tests (a homeserver, a proxy, a callback receiver):
// started on a free port, and closed, open connections and all, when the test that started them ends
// (also when started from a beforeEach).
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

export interface StandIn {
  server: Server;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Closes it before the test ends (a server that is down); closing again at the end is harmless. */
  close(): Promise<void>;
}

export async function serve(handler?: RequestListener): Promise<StandIn> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  onTestFinished(close);
  return { server, url, close };
}

/** The whole body of a request. */
export async function bytesOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export const bodyOf = async (req: IncomingMessage): Promise<string> => (await bytesOf(req)).toString('utf8');

/** Ends `res` with `body` as JSON and the status. */
export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
