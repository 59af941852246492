import { Writable } from 'node:stream';

/** A stream that keeps what a logger writes to it, one chunk (one JSON line) at a time. */
export function logSink() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { sink, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
