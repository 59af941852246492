// Whether the process runs on jemalloc, as the production settings have it (deploy/meetbot.service,
// the Dockerfile): preloaded with LD_PRELOAD, it gives freed memory back to the system where glibc's
// allocator keeps it fragmented. Someone starting the bot by hand gets one line saying what that costs.
import { existsSync, readFileSync } from 'node:fs';

/** One check line (a CheckResult of checks.ts, which imports this module). */
interface MemoryCheck {
  name: 'memory';
  status: 'ok' | 'note';
  message: string;
}

/** Where the cost is measured (the figures quoted below are taken from there). */
export const JEMALLOC_COST_DOC = 'docs/benchmarks.md#without-jemalloc';
/** What the production settings measured there idle at, with and without jemalloc. */
export const JEMALLOC_COST = { rooms: '1,000', withMiB: 116, withoutMiB: 289 };
/** jemalloc's settings in the unit and the Dockerfile. */
export const MALLOC_CONF = 'narenas:1,tcache:false';

export interface MemoryFacts {
  platform: NodeJS.Platform;
  arch: string;
  /** The environment's LD_PRELOAD. */
  ldPreload: string | undefined;
  /** The process's mapped files (/proc/self/maps): what is really loaded. */
  maps: string;
  exists: (path: string) => boolean;
}

/** True when one of LD_PRELOAD's entries (space or colon separated) is a libjemalloc. */
export function namesJemalloc(ldPreload: string | undefined): boolean {
  return (ldPreload ?? '').split(/[\s:]+/).some((entry) => /(^|\/)libjemalloc[^/]*$/.test(entry));
}

/** Debian's and Ubuntu's path of libjemalloc2 for this architecture. */
export function jemallocPath(arch: string): string {
  const triple = arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  return `/usr/lib/${triple}/libjemalloc.so.2`;
}

/**
 * One line: jemalloc is loaded (ok), or it is not, what that costs and the line to add (a note: the
 * bot runs fine without it). Only on Linux, where LD_PRELOAD works this way.
 */
export function checkMemory(facts: MemoryFacts = currentFacts()): MemoryCheck {
  const name = 'memory' as const;
  if (facts.platform !== 'linux') return { name, status: 'ok', message: `not checked on ${facts.platform}` };
  if (/libjemalloc/.test(facts.maps)) return { name, status: 'ok', message: 'jemalloc is preloaded' };
  const path = jemallocPath(facts.arch);
  const install = facts.exists(path) ? '' : ' (apt install libjemalloc2)';
  const why = namesJemalloc(facts.ldPreload)
    ? `jemalloc is not loaded: LD_PRELOAD=${facts.ldPreload} names a library that is missing`
    : 'jemalloc is not preloaded (LD_PRELOAD does not name libjemalloc)';
  const { rooms, withMiB, withoutMiB } = JEMALLOC_COST;
  return {
    name,
    status: 'note',
    message: `${why}: the bot idles with more memory (${withoutMiB} instead of ${withMiB} MiB with ${rooms} rooms, ${JEMALLOC_COST_DOC}); start it with LD_PRELOAD=${path} MALLOC_CONF=${MALLOC_CONF}${install}`,
  };
}

function currentFacts(): MemoryFacts {
  let maps = '';
  try {
    maps = readFileSync('/proc/self/maps', 'utf8');
  } catch {
    // Not Linux, or no /proc: nothing is known to be loaded.
  }
  return {
    platform: process.platform,
    arch: process.arch,
    ldPreload: process.env.LD_PRELOAD,
    maps,
    exists: existsSync,
  };
}
