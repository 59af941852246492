import { parseArgs } from 'node:util';
import { startBbbSimulator } from './server.js';

// `npm run bbb-simulator -- --port 8090 --secret <secret>`: a BBB SIMULATOR (not a real BigBlueButton: no
// audio, video or recordings anyone can watch) on 127.0.0.1, to try a config and `npm run check` before a
// BBB server is at hand. Runs until SIGINT/SIGTERM.
const USAGE =
  'npm run bbb-simulator -- --port <port> --secret <secret, at least 8 characters> [--algorithms sha256,sha512]';
const ALGORITHMS = ['sha1', 'sha256', 'sha384', 'sha512'] as const;
type Algorithm = (typeof ALGORITHMS)[number];

function usage(problem: string): number {
  console.error(`${problem}\nUsage: ${USAGE}`);
  return 2;
}

async function main(): Promise<number> {
  let values: { port?: string; secret?: string; algorithms?: string };
  try {
    ({ values } = parseArgs({
      options: { port: { type: 'string' }, secret: { type: 'string' }, algorithms: { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    return usage((error as Error).message);
  }
  const port = Number(values.port);
  if (!values.port || !Number.isInteger(port) || port < 0 || port > 65_535)
    return usage('--port: a port number (0 picks a free one)');
  if (!values.secret || values.secret.length < 8)
    return usage('--secret: at least 8 characters, like bbb.secret');
  const algorithms = (values.algorithms ?? ALGORITHMS.join(',')).split(',');
  const unknown = algorithms.filter((a) => !ALGORITHMS.includes(a as Algorithm));
  if (unknown.length)
    return usage(`--algorithms: unknown ${unknown.join(', ')} (known: ${ALGORITHMS.join(', ')})`);

  let sim: Awaited<ReturnType<typeof startBbbSimulator>>;
  try {
    sim = await startBbbSimulator({
      secret: values.secret,
      port,
      algorithms: algorithms as Algorithm[],
      processingDelayMs: 5000,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    console.error(`cannot listen on 127.0.0.1:${port} (${code ?? (error as Error).message})`);
    return 1;
  }
  process.stdout.write(
    `BBB SIMULATOR (not a real BigBlueButton) listening at ${sim.url}\n` +
      `In the config: "bbb": {"url": "${sim.url}", "secret": <the --secret given>}. Ctrl-C stops it.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('bbb-simulator failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
