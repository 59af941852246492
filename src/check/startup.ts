import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import {
  type CheckOptions,
  type CheckResult,
  checkBbb,
  checkClock,
  checkDatabase,
  checkHomeserver,
  checkNotice,
  checkRooms,
} from './checks.js';
import { checkMemory } from './memory.js';
import { checkInviters } from './settings.js';

export interface StartupChecks {
  /** Certainly wrong: the bot must not start. Empty when it may. */
  failures: CheckResult[];
  /** Ends the background re-checks (BBB unreachable at start). */
  stop(): void;
}

export interface StartupOptions extends CheckOptions {
  /** First wait before asking an unreachable homeserver again; doubles up to `maxRetryMs`. Default 2000. */
  retryMs?: number;
  /** Default 60 000. */
  maxRetryMs?: number;
  /** How often an unreachable BBB is asked again in the background. Default 30 000. */
  bbbRetryMs?: number;
}

/**
 * The preflight checks at start-up. What is certainly wrong (a rejected token, BBB's checksumError, a
 * missing or unfilled notice, an unwritable database) is returned as failures and stops the start with
 * the same line `npm run check` prints. What may pass later never stops it: an unreachable homeserver
 * is waited for (the bot cannot do anything without it), an unreachable BBB is logged and asked again
 * in the background; clock skew and unreadable rooms are logged.
 */
export async function runStartupChecks(
  config: Config,
  log: Logger,
  options: StartupOptions = {},
): Promise<StartupChecks> {
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const stop = () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });
  const warn = (r: CheckResult) => log.warn({ check: r.name }, r.message);

  const failures = [checkNotice(config), checkDatabase(config.database.path)].filter(
    (r) => r.status === 'fail',
  );
  if (failures.length > 0) return { failures, stop };

  // BBB is asked while the homeserver is (three round trips to a remote BBB otherwise come first).
  const bbbCheck = checkBbb(config, options);
  bbbCheck.catch(() => {}); // awaited below; an unexpected error must not count as unhandled meanwhile
  let homeserver = await checkHomeserver(config, options);
  for (let wait = options.retryMs ?? 2000; homeserver.result.status === 'warn' && !stopped; ) {
    log.warn({ check: 'homeserver', retryInMs: wait }, `${homeserver.result.message}; trying again`);
    await sleep(wait);
    wait = Math.min(wait * 2, options.maxRetryMs ?? 60_000);
    homeserver = await checkHomeserver(config, options);
  }
  if (homeserver.result.status === 'fail') failures.push(homeserver.result);
  if (homeserver.userId) {
    const inviters = checkInviters(config, homeserver.userId);
    if (inviters.status === 'fail') failures.push(inviters);
    else if (inviters.status === 'warn') warn(inviters);
  }

  const bbb = await bbbCheck;
  if (bbb.status === 'fail') failures.push(bbb);
  if (failures.length > 0) return { failures, stop };
  if (bbb.status === 'warn') {
    warn(bbb);
    const again = async () => {
      await sleep(options.bbbRetryMs ?? 30_000);
      if (stopped) return;
      const next = await checkBbb(config, options);
      if (next.status === 'ok') log.info({ check: 'bbb' }, `BBB answers now: ${next.message}`);
      else if (next.status === 'fail') log.error({ check: 'bbb' }, next.message);
      else void again();
    };
    void again();
  }
  const clock = checkClock(homeserver.serverDate, options);
  if (clock.status !== 'ok') warn(clock);
  const memory = checkMemory();
  if (memory.status !== 'ok') warn(memory);
  // Reading every room takes a while in a big deployment: in the background, logged.
  void checkRooms(config, options).then((rooms) => {
    if (!stopped && rooms.status !== 'ok') warn(rooms);
  });
  return { failures, stop };
}
