// One full garbage collection once the start-up has settled. The start (initial sync, reconciliation,
// the prompts it edits, key sharing) leaves garbage that an idle process keeps until V8 collects on its
// own, which it had not done well after the start (what it keeps: docs/benchmarks.md, "Idle memory").
// V8 offers no way to ask for a collection unless the process runs with --expose-gc, which the production
// settings (deploy/meetbot.service, Dockerfile) include; without it this does nothing.
import type { Logger } from './log.js';

export const STARTUP_SETTLE_MS = 30_000;

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** Schedules the collection; the returned function cancels it (at stop). */
export function collectAfterStartup(
  log: Logger,
  gc: NodeJS.GCFunction | undefined = globalThis.gc,
  settleMs = STARTUP_SETTLE_MS,
): () => void {
  if (!gc) return () => {};
  const timer = setTimeout(() => {
    const before = process.memoryUsage.rss();
    const started = performance.now();
    // 'last-resort' is the collection V8 runs on a low-memory warning: it also returns the freed pages.
    // A plain gc() frees the objects but keeps the heap's pages (docs/benchmarks.md, "Idle memory").
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    log.info(
      {
        rssBeforeMiB: mib(before),
        rssAfterMiB: mib(process.memoryUsage.rss()),
        ms: Math.round(performance.now() - started),
      },
      'start-up garbage collected',
    );
  }, settleMs);
  timer.unref();
  return () => clearTimeout(timer);
}
