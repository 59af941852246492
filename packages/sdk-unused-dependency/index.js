// Stands in for a dependency of matrix-bot-sdk that the bot never calls (README.md). The SDK requires
// these at load time and uses them only inside functions the bot does not call; anything done with
// this stand-in beyond reading properties fails at once, naming the reason.

function notInstalled() {
  // Which name was called is not known here: one folder stands in for all of them (package.json lists them).
  throw new Error(
    'a dependency of matrix-bot-sdk that this bot does not install was called: ' +
      "package.json's dependencies on packages/sdk-unused-dependency and its overrides put this stand-in in its place. " +
      "The SDK's HTTP goes through src/matrix/sdk/transport.ts, its state into the bot's SQLite file; its appservice and HTML helpers are not used.",
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
