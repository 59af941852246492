import type { AddressInfo } from 'node:net';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { BotApp } from '../app/bot-app.js';
import { verifyRecordingReadyToken } from '../bbb/index.js';
import type { BotMetrics } from '../metrics/metrics.js';
import { registerGuestPages } from './guest/routes.js';
import { securityHeaders } from './security.js';

const MAX_BODY_BYTES = 16 * 1024;

/** How long without a completed sync /healthz tolerates (the long-poll is 30 s, errors back off up to 15 s). */
const SYNC_STALE_MS = 5 * 60_000;

export interface HttpStatus {
  /** Last time the Matrix sync loop delivered something, for /healthz. */
  lastSyncAt: () => number | null;
  /** Served at GET /metrics (Prometheus text format) when given. */
  metrics?: BotMetrics;
}

export interface HttpListener {
  readonly port: number;
  /** Base URL the listener answers on (loopback form of host:port). */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The optional listener (Fastify): BBB's recording-ready callback, a health check, the Prometheus
 * metrics and the guests' consent pages. The callback is only a hint: a token is verified
 * (HS256/HS512 with the BBB secret) and the recording is then confirmed with getRecordings before
 * anything changes, so a forged or replayed callback changes nothing.
 */
export async function buildHttpApp(app: BotApp, status: HttpStatus): Promise<FastifyInstance> {
  const { ctx } = app;
  const server = Fastify({
    bodyLimit: MAX_BODY_BYTES,
    // The bot's pino logger gets the errors; per-request access logs would name guests' tokens.
    logger: false,
    // Behind a reverse proxy the address rate limits key on comes from X-Forwarded-For.
    trustProxy: ctx.config.http.trustProxy,
  });
  await server.register(formbody);
  securityHeaders(server, ctx.config.bbb.url);

  server.setErrorHandler((error, req, reply) => {
    const code = (error as { statusCode?: number }).statusCode ?? 500;
    if (code >= 500) ctx.log.error({ err: error, path: req.url.split('?')[0] }, 'http handler failed');
    reply
      .code(code)
      .type('application/json')
      .send({ error: code >= 500 ? 'internal' : (error as Error).message });
  });

  // Unhealthy (503) when the database is gone, or when no sync completed for a while: a bot that hears
  // nothing any more looks alive otherwise. A healthy sync completes at least every long-poll (30 s).
  server.get('/healthz', async (_req, reply) => {
    ctx.stores.db.$client.prepare('select 1').get();
    const lastSyncAt = status.lastSyncAt();
    if (lastSyncAt !== null && ctx.now() - lastSyncAt > SYNC_STALE_MS)
      return reply
        .code(503)
        .send({ ok: false, lastSyncAt, problem: 'no sync with the homeserver for over 5 minutes' });
    return { ok: true, lastSyncAt };
  });

  if (status.metrics) {
    const { metrics } = status;
    server.get('/metrics', async (_req, reply) => {
      try {
        const text = await metrics.text();
        return reply.type(metrics.contentType).send(text);
      } catch (error) {
        ctx.log.error({ err: error }, 'metrics collection failed');
        return reply.code(500).type('text/plain').send('metrics collection failed\n');
      }
    });
  }

  server.post<{ Body: Record<string, string> | undefined }>('/bbb/recording-ready', async (req, reply) => {
    const token = typeof req.body?.signed_parameters === 'string' ? req.body.signed_parameters : '';
    const claims = verifyRecordingReadyToken(token, [ctx.config.bbb.secret]);
    if (!claims) {
      ctx.log.warn('recording-ready callback with an invalid token refused');
      return reply.code(401).send({ error: 'invalid token' });
    }
    const known = await app.discovery.confirmReported(claims.record_id);
    return known ? { ok: true } : reply.code(404).send({ error: 'unknown recording' });
  });

  await registerGuestPages(server, app);

  server.setNotFoundHandler((_req, reply) => {
    reply.code(404).type('application/json').send({ error: 'not found' });
  });
  return server;
}

export async function startHttpServer(app: BotApp, status: HttpStatus): Promise<HttpListener> {
  const server = await buildHttpApp(app, status);
  await server.listen({ port: app.ctx.config.http.port, host: app.ctx.config.http.host });
  const address = server.server.address() as AddressInfo;
  app.ctx.log.info({ host: address.address, port: address.port }, 'http listener started');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    port: address.port,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`,
    close: () => server.close(),
  };
}
