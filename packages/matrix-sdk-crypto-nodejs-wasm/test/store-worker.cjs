'use strict';
// Child process for the store tests: opens a crypto store and either holds it (`hold`) or changes it
// in a loop (`write-loop`), printing each change once the adapter resolved it (= it is on disk).
const { OlmMachine, UserId, DeviceId } = require('../index.js');

const [mode, storePath] = process.argv.slice(2);

(async () => {
  const machine = await OlmMachine.initialize(
    new UserId('@bot:example.org'),
    new DeviceId('BOTDEVICE'),
    storePath,
    '',
    0,
  );
  if (mode === 'exit') {
    process.stdout.write(`ready ${process.pid}\n`, () => process.exit(0)); // a normal exit without close()
    return;
  }
  process.stdout.write(`ready ${process.pid}\n`);
  if (mode === 'upload-and-die') {
    // The key upload leaves for the homeserver; the process dies before it hears the answer.
    const upload = (await machine.outgoingRequests()).find((r) => r.type === 0);
    process.stdout.write(`upload ${upload.body}\n`, () => process.kill(process.pid, 'SIGKILL'));
    return;
  }
  if (mode === 'hold') {
    setInterval(() => {}, 1000);
    return;
  }
  for (let i = 0; ; i++) {
    await machine.updateTrackedUsers([new UserId(`@user${i}:example.org`)]);
    process.stdout.write(`acked ${i}\n`);
  }
})().catch((err) => {
  process.stdout.write(`error ${err.code ?? ''} ${err.message}\n`);
  process.exit(1);
});
