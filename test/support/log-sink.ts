import { Writable } from 'node:stream';
import { createLogger } from '../../src/log.js';

/** The bot's logger at `level`, writing into memory: one JSON line per chunk. `sink` serves other loggers. */
export function logSink(level = 'trace') {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return {
    log: createLogger(level, sink),
    sink,
    lines,
    out: () => lines.join(''),
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
