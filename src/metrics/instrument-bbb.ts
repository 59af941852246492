import { BbbError, BbbUnavailableError } from '../bbb/index.js';
import type { BotMetrics } from './metrics.js';

/**
 * A decorator around the BBB port: every method that returns a promise (a request to BBB) is counted
 * and timed by call and outcome. Synchronous methods (joinUrl signs a URL, no request) pass through.
 * Works for whatever methods the port has, so the port can grow without touching this.
 */
export function instrumentBbb<T extends object>(port: T, metrics: BotMetrics): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        const started = process.hrtime.bigint();
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        const done = (outcome: string) => {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          metrics.bbbRequests.inc({ call: property, outcome });
          metrics.bbbLatency.observe({ call: property, outcome }, seconds);
        };
        return result.then(
          (value: unknown) => {
            done('ok');
            return value;
          },
          (error: unknown) => {
            done(
              error instanceof BbbError
                ? 'failed'
                : error instanceof BbbUnavailableError
                  ? 'unavailable'
                  : 'error',
            );
            throw error;
          },
        );
      };
    },
  });
}
