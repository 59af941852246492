import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BotApp } from '../app/bot-app.js';
import { verifyRecordingReadyToken } from '../bbb/index.js';
import type { BotMetrics } from '../metrics/metrics.js';

const MAX_BODY_BYTES = 16 * 1024;

export interface HttpStatus {
  /** Last time the Matrix sync loop delivered something, for /healthz. */
  lastSyncAt: () => number | null;
  /** Served at GET /metrics (Prometheus text format) when given. */
  metrics?: BotMetrics;
}

/**
 * The optional listener: BBB's recording-ready callback, a health check and the Prometheus metrics. The callback is only a
 * hint: a token is verified (HS256/HS512 with the BBB secret) and the recording is then confirmed
 * with getRecordings before anything changes, so a forged or replayed callback changes nothing.
 */
export function startHttpServer(app: BotApp, status: HttpStatus): Promise<Server> {
  const { ctx } = app;
  const server = createServer((req, res) => {
    if (req.method === 'GET' && status.metrics && req.url?.split('?')[0] === '/metrics') {
      const { metrics } = status;
      metrics.text().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.contentType });
          res.end(text);
        },
        (error: unknown) => {
          ctx.log.error({ err: error }, 'metrics collection failed');
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('metrics collection failed\n');
        },
      );
      return;
    }
    handle(req)
      .then(({ code, body }) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      })
      .catch((error: unknown) => {
        ctx.log.error({ err: error, path: req.url?.split('?')[0] }, 'http handler failed');
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"internal"}');
      });
  });

  async function handle(req: IncomingMessage): Promise<{ code: number; body: unknown }> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/healthz') {
      ctx.stores.db.$client.prepare('select 1').get();
      return { code: 200, body: { ok: true, lastSyncAt: status.lastSyncAt() } };
    }
    if (req.method === 'POST' && path === '/bbb/recording-ready') {
      const form = new URLSearchParams(await readBody(req));
      const token = form.get('signed_parameters') ?? '';
      const claims = verifyRecordingReadyToken(token, [ctx.config.bbb.secret]);
      if (!claims) {
        ctx.log.warn('recording-ready callback with an invalid token refused');
        return { code: 401, body: { error: 'invalid token' } };
      }
      const known = await app.discovery.confirmReported(claims.record_id);
      return known ? { code: 200, body: { ok: true } } : { code: 404, body: { error: 'unknown recording' } };
    }
    return { code: 404, body: { error: 'not found' } };
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(ctx.config.http.port, ctx.config.http.host, () => {
      const address = server.address() as AddressInfo;
      ctx.log.info({ host: address.address, port: address.port }, 'http listener started');
      resolve(server);
    });
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
