// Stands in for a dependency of matrix-bot-sdk that the bot never calls (README.md). The SDK requires
// these at load time and uses them only inside functions the bot does not call; anything done with
// this stand-in beyond reading properties fails at once, naming the reason.

const STANDS_IN_FOR = ['request', 'request-promise', 'express', 'morgan', 'sanitize-html', 'html-to-text'];

function notInstalled() {
  throw new Error(
    `a dependency of matrix-bot-sdk that this bot does not install was called (one of ${STANDS_IN_FOR.join(', ')}; ` +
      "package.json's overrides replace them with packages/sdk-unused-dependency). " +
      "The SDK's HTTP goes through src/matrix/transport.ts; its appservice and HTML helpers are not used.",
  );
}

// Every property is the same throwing function, itself a stand-in: `require('x').y.z()` fails too.
const standIn = new Proxy(notInstalled, {
  get(target, property) {
    if (property === '__esModule') return false;
    if (property === 'prototype') return target.prototype;
    return standIn;
  },
  apply: notInstalled,
  construct: notInstalled,
});

module.exports = standIn;
