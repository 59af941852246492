// The memory line of `npm run check` and of the start: whether jemalloc is loaded, what its absence
// costs (the figures quoted from docs/benchmarks.md), and the line to add.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkMemory,
  JEMALLOC_COST,
  JEMALLOC_COST_DOC,
  type MemoryFacts,
  namesJemalloc,
} from '../../../src/check/memory.js';

const ROOT = join(import.meta.dirname, '../../..');
const LIB = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2';
const facts = (over: Partial<MemoryFacts> = {}): MemoryFacts => ({
  platform: 'linux',
  arch: 'x64',
  ldPreload: undefined,
  maps: '7f00-7f01 r-xp 0 08:01 1 /usr/lib/x86_64-linux-gnu/libc.so.6\n',
  exists: () => true,
  ...over,
});

describe('namesJemalloc', () => {
  it('finds libjemalloc among LD_PRELOAD entries, separated by spaces or colons', () => {
    expect(namesJemalloc(LIB)).toBe(true);
    expect(namesJemalloc('/usr/local/lib/libjemalloc.so.2')).toBe(true);
    expect(namesJemalloc(`/opt/x/libfoo.so:${LIB}`)).toBe(true);
    expect(namesJemalloc(`/opt/x/libfoo.so ${LIB}`)).toBe(true);
    expect(namesJemalloc(undefined)).toBe(false);
    expect(namesJemalloc('')).toBe(false);
    expect(namesJemalloc('/usr/lib/libtcmalloc.so')).toBe(false);
    expect(namesJemalloc('/opt/libjemalloc/libfoo.so')).toBe(false);
  });
});

describe('checkMemory', () => {
  it('is ok when jemalloc is mapped into the process', () => {
    const result = checkMemory(facts({ ldPreload: LIB, maps: `7f00-7f01 r-xp 0 08:01 2 ${LIB}\n` }));
    expect(result.status).toBe('ok');
  });

  it('without it: a note with what it costs, where that was measured, and the line to add', () => {
    const result = checkMemory(facts());
    expect(result.status).toBe('note');
    expect(result.message).toContain('LD_PRELOAD does not name libjemalloc');
    expect(result.message).toContain(`${JEMALLOC_COST.withoutMiB} instead of ${JEMALLOC_COST.withMiB} MiB`);
    expect(result.message).toContain(JEMALLOC_COST_DOC);
    expect(result.message).toContain(`LD_PRELOAD=${LIB} MALLOC_CONF=narenas:1,tcache:false`);
    expect(result.message).not.toContain('apt install');
    expect(result.message).not.toContain('\n');
  });

  it('says to install libjemalloc2 when it is missing, and names a preload that did not load', () => {
    const missing = checkMemory(facts({ ldPreload: LIB, exists: () => false }));
    expect(missing.status).toBe('note');
    expect(missing.message).toContain(`LD_PRELOAD=${LIB} names a library that is missing`);
    expect(missing.message).toContain('(apt install libjemalloc2)');
    expect(checkMemory(facts({ arch: 'arm64' })).message).toContain(
      'LD_PRELOAD=/usr/lib/aarch64-linux-gnu/libjemalloc.so.2',
    );
  });

  it('says nothing about it off Linux', () => {
    expect(checkMemory(facts({ platform: 'darwin' })).status).toBe('ok');
  });

  it('quotes figures that docs/benchmarks.md gives in the section it links', () => {
    const [file, anchor] = JEMALLOC_COST_DOC.split('#') as [string, string];
    const doc = readFileSync(join(ROOT, file), 'utf8');
    const heading = doc.split('\n').find((l) => /^#+ /.test(l) && slug(l) === anchor);
    expect(heading, `no heading for #${anchor} in ${file}`).toBeDefined();
    const section = doc.slice(doc.indexOf(heading!)).split(/\n#+ /)[0]!;
    for (const figure of [JEMALLOC_COST.withMiB, JEMALLOC_COST.withoutMiB, JEMALLOC_COST.rooms])
      expect(section).toContain(String(figure));
  });
});

/** GitHub's anchor for a Markdown heading. */
function slug(heading: string): string {
  return heading
    .replace(/^#+ /, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
}
