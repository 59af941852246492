// Idle memory of the bot process: started against the real Synapse (as in the e2e suite), joined to
// a few rooms, then left alone; resident set size sampled from /proc. Measured twice: as `npm start`
// runs it (TypeScript through tsx) and compiled (`npm run build && npm run start:prod`), and compiled
// with end-to-end encryption on (the crypto engine in WebAssembly and its key store) beside off.
//
//   npx tsx bench/idle-memory.ts [idleSeconds=20]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startBot } from '../test/e2e/support/bot-process.js';
import { TestHomeserver } from '../test/e2e/support/homeserver.js';
import { acquireHomeserver } from '../test/e2e/support/homeserver-lifecycle.js';

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

async function measure(
  hs: TestHomeserver,
  url: string,
  entry: 'source' | 'compiled',
  idleSeconds: number,
  encryption = false,
) {
  const botUser = await hs.registerUser('meetbot-mem');
  const user = await hs.registerUser('mem-user');
  const bot = await startBot({
    homeserverUrl: url,
    botUser,
    entry,
    config: { logLevel: 'info', matrix: { encryption } },
  });
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
    const how = `${entry === 'source' ? 'npm start (tsx)' : 'npm run start:prod (compiled)'}, encryption ${encryption ? 'on' : 'off'}`;
    console.log(
      `idle RSS, ${how}, 5 rooms, ${idleSeconds} s idle: after start ${afterStart.toFixed(1)} MiB, median ${samples[Math.floor(samples.length / 2)]!.toFixed(1)} MiB, max ${samples.at(-1)!.toFixed(1)} MiB`,
    );
  } finally {
    await bot.dispose();
  }
}

async function main(): Promise<void> {
  const idleSeconds = Number(process.argv[2] ?? 20);
  const acquired = await acquireHomeserver();
  try {
    const hs = new TestHomeserver(acquired.info);
    await measure(hs, acquired.info.url, 'source', idleSeconds);
    if (spawnSync('npm', ['run', 'build'], { stdio: 'ignore' }).status !== 0)
      throw new Error('npm run build failed');
    await measure(hs, acquired.info.url, 'compiled', idleSeconds);
    await measure(hs, acquired.info.url, 'compiled', idleSeconds, true);
  } finally {
    await acquired.release();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
