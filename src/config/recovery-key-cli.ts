import { generateRecoveryKey } from './recovery-key.js';

// `npm run recovery-key`: a new recovery key for the bot account, printed once to this terminal and
// kept nowhere else (not in a file, not in a log). The operator stores it in a password manager and
// gives it to the bot as matrix.recoveryKey or MATRIX_RECOVERY_KEY.

const USAGE = 'Usage: npm run recovery-key';

function main(argv: string[]): number {
  if (argv.length > 0) {
    console.error(`Unknown argument ${argv[0]}\n${USAGE}`);
    return 2;
  }
  process.stdout.write(
    [
      'A new recovery key for the bot account (shown only now):',
      '',
      `  ${generateRecoveryKey()}`,
      '',
      "1. Store it where your team keeps its secrets (a password manager), not beside the bot's data.",
      '2. Give it to the bot: matrix.recoveryKey in config.json, or the environment variable',
      '   MATRIX_RECOVERY_KEY; then (re)start the bot. At its next start the bot puts its cross-signing',
      "   keys and its room-key backup key into the account's secret storage, encrypted with this key.",
      "3. If the bot account already has secret storage (set up in Element), use Element's recovery key",
      '   of that account instead: the bot never replaces secret storage it cannot open.',
      '',
    ].join('\n'),
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));
