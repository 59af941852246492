import type { CheckResult } from './checks.js';

const LABEL = { ok: 'OK', note: 'NOTE', warn: 'WARN', fail: 'FAIL' } as const;

/** One line per item: `OK    homeserver  …`. */
export function formatResult(result: CheckResult): string {
  return `${LABEL[result.status].padEnd(5)} ${result.name.padEnd(10)} ${result.message}`;
}

/** Notes say how it runs, not that something is wrong: they do not fail the check. */
export function allOk(results: readonly CheckResult[]): boolean {
  return results.every((r) => r.status === 'ok' || r.status === 'note');
}
