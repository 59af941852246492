'use strict';
// Stand-in for @matrix-org/matrix-sdk-crypto-nodejs (a native module whose install script downloads a
// binary from GitHub, impossible here). matrix-bot-sdk imports it at load time but only uses it when a
// crypto store is configured, which this bot never does. Every use throws a clear error instead of
// pretending to encrypt. Replace this package (and only this package) when E2EE support arrives.
const MESSAGE = 'end-to-end encryption is not available in this build (crypto module stand-in)';

function unavailable(name) {
  const fn = function () {
    throw new Error(`${MESSAGE}: ${String(name)}`);
  };
  return new Proxy(fn, {
    get(_target, prop) {
      if (prop === 'prototype') return {};
      if (typeof prop === 'symbol') return undefined;
      return unavailable(`${String(name)}.${prop}`);
    },
    construct() {
      throw new Error(`${MESSAGE}: new ${String(name)}`);
    },
  });
}

module.exports = new Proxy(
  { __esModule: true, isStub: true },
  {
    get(target, prop) {
      if (prop in target) return target[prop];
      if (typeof prop === 'symbol' || prop === 'then') return undefined;
      return unavailable(prop);
    },
  },
);
