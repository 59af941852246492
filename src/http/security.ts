import type { FastifyInstance } from 'fastify';

/**
 * Security headers on every answer. The pages load nothing but their own stylesheet and run no
 * script; forms post only to this listener and, for the join button's redirect, to BBB (Chromium
 * applies form-action to a form's redirects too). No page may be framed (click-jacking), and no
 * request leaves a Referer: the guest's token is in the page's URL.
 */
export function securityHeaders(server: FastifyInstance, bbbUrl: string): void {
  const bbbOrigin = new URL(bbbUrl).origin;
  const csp = [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    `form-action 'self' ${bbbOrigin}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  server.addHook('onSend', async (_req, reply) => {
    reply.header('content-security-policy', csp);
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
  });
}
