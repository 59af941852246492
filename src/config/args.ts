import { parseArgs } from 'node:util';

/**
 * The configuration file named on the command line (`--config <file>` or `-c`), default config.json.
 * Anything else is refused with `usage`: null then means "exit 2, the message was printed".
 */
export function configFileFromArgs(usage: string, argv = process.argv.slice(2)): string | null {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { config: { type: 'string', short: 'c' } },
      strict: true,
    });
    return values.config ?? 'config.json';
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: ${usage}`);
    return null;
  }
}
