// Idle memory of the bot process: started against the real Synapse (as in the e2e suite), joined to
// a few rooms, then left alone; resident set size sampled from /proc.
//
//   npx tsx bench/idle-memory.ts [idleSeconds=20]
import { readFileSync } from 'node:fs';
import { startBot } from '../test/e2e/support/bot-process.js';
import { TestHomeserver } from '../test/e2e/support/homeserver.js';
import { acquireHomeserver } from '../test/e2e/support/homeserver-lifecycle.js';

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

async function main(): Promise<void> {
  const idleSeconds = Number(process.argv[2] ?? 20);
  const acquired = await acquireHomeserver();
  const hs = new TestHomeserver(acquired.info);
  const botUser = await hs.registerUser('meetbot-mem');
  const user = await hs.registerUser('mem-user');
  const bot = await startBot({ homeserverUrl: acquired.info.url, botUser, config: { logLevel: 'info' } });
  try {
    for (let i = 0; i < 5; i++) await user.createRoom({ invite: [botUser.userId], name: `room ${i}` });
    await new Promise((r) => setTimeout(r, 3000));
    const afterStart = rssMiB(bot.pid!);
    const samples: number[] = [];
    for (let s = 0; s < idleSeconds; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      samples.push(rssMiB(bot.pid!));
    }
    samples.sort((a, b) => a - b);
    console.log(
      `idle memory of the bot process (5 rooms, ${idleSeconds} s idle): RSS after start ${afterStart.toFixed(1)} MiB, median ${samples[Math.floor(samples.length / 2)]!.toFixed(1)} MiB, max ${samples.at(-1)!.toFixed(1)} MiB`,
    );
  } finally {
    await bot.dispose();
    await acquired.release();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
