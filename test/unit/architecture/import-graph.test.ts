import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The house rules for src/ (README, "Layout"): no import circle between files, and no import from a
// lower floor to a higher one. A floor may use any floor below it, never one beside or above it.
// Every top-level folder (and each role of src/matrix) must be placed here, so a new one is a decision.
const FLOORS: readonly (readonly string[])[] = [
  ['domain', 'log', 'fetch-answers', 'node-version', 'bbb-simulator'], // pure rules and tools with no project imports
  ['config', 'i18n', 'db', 'bbb', 'startup-gc'], // what the app stands on: settings, words, storage, BBB
  ['notice', 'evidence', 'metrics'], // built from the floor below, used by the app and the edges
  ['app'], // the application services over the chat and BBB ports
  ['commands'], // chat commands, calling the app
  ['matrix/sdk', 'matrix/chat', 'http', 'jobs'], // adapters: the SDK, the chat port, HTTP in, the clock
  ['matrix/intake', 'matrix/e2ee'], // Matrix events in; the device's cross-signing, secret storage, key backup
  ['check', 'bot'], // preflight checks, the composition root
  ['bot-main'], // the bot's process: config, checks, start, signals
  ['main'], // the entry: the Node version check, then bot-main
];

const SRC = resolve(import.meta.dirname, '../../../src');
const IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

type Graph = Map<string, Set<string>>;

/** Files under `dir` (paths relative to it) and the project files each imports (statically, dynamically or as types). */
function importGraph(dir: string): Graph {
  const graph: Graph = new Map();
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    const targets = [...text.matchAll(IMPORT)].map((m) =>
      relative(dir, resolve(dir, dirname(file), m[1]!)).replace(/\.js$/, '.ts'),
    );
    graph.set(file, new Set(targets));
  }
  return graph;
}

/** The floor unit of a file: its top-level folder (matrix/<role> for src/matrix), or its name at the top. */
function unitOf(file: string): string {
  const parts = file.split('/');
  if (parts.length === 1) return file.replace(/\.ts$/, '');
  return parts[0] === 'matrix' && parts.length > 2 ? `matrix/${parts[1]}` : parts[0]!;
}

function floorOf(unit: string): number {
  return FLOORS.findIndex((floor) => floor.includes(unit));
}

function cycles(graph: Graph): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

/** Imports that go up a floor or sideways to another unit of the same floor, as "from -> to". */
function upwardArrows(graph: Graph): string[] {
  const wrong: string[] = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      const [from, to] = [unitOf(file), unitOf(target)];
      if (from !== to && floorOf(to) >= floorOf(from)) wrong.push(`${file} -> ${target}`);
    }
  }
  return wrong.sort();
}

describe('the import graph of src/', () => {
  const graph = importGraph(SRC);

  it('places every folder and top-level file on a floor', () => {
    const units = new Set([...graph.keys()].map(unitOf));
    expect([...units].filter((unit) => floorOf(unit) < 0)).toEqual([]);
  });

  it('has no circle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('has no import from a lower floor to a higher one, nor sideways', () => {
    expect(upwardArrows(graph)).toEqual([]);
  });

  it('keeps the stores away from the commands: they go through the services', () => {
    const intoDb = [...graph].flatMap(([file, targets]) =>
      file.startsWith('commands/')
        ? [...targets].filter((t) => t.startsWith('db/')).map((t) => `${file} -> ${t}`)
        : [],
    );
    expect(intoDb).toEqual([]);
  });

  it('loads drizzle-orm at run time from src/db/drizzle.ts only (its ESM build slows every start)', () => {
    const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const valueImports = files.filter(
      (f) =>
        f !== join('db', 'drizzle.ts') &&
        /^import (?!type\b)[^;]*from ['"]drizzle-orm/m.test(readFileSync(join(SRC, f), 'utf8')),
    );
    expect(valueImports).toEqual([]);
  });

  it('the checks see a circle and an upward arrow when there is one', () => {
    const bad: Graph = new Map([
      ['app/a.ts', new Set(['app/b.ts', 'matrix/chat/content.ts'])],
      ['app/b.ts', new Set(['app/a.ts'])],
      ['matrix/chat/content.ts', new Set<string>()],
      ['matrix/intake/event-intake.ts', new Set(['matrix/chat/content.ts'])],
    ]);
    expect(cycles(bad)).toEqual([['app/a.ts', 'app/b.ts', 'app/a.ts']]);
    expect(upwardArrows(bad)).toEqual(['app/a.ts -> matrix/chat/content.ts']);
  });
});
