// matrix-bot-sdk requires request, express, morgan, sanitize-html, html-to-text, htmlencode, lowdb and postgres when it
// loads, but uses them only in code the bot never runs (its default HTTP transport, the appservice, the
// HTML helpers, its JSON-file and Postgres storage providers).
// package.json's overrides install packages/sdk-unused-dependency in their place: nothing of them is
// loaded into memory or installed, and anything that does call one fails at once with a clear error.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { MatrixClient, RichReply } from '@vector-im/matrix-bot-sdk';
import { describe, expect, it } from 'vitest';

// Resolved from the SDK's own folder, as its require() calls resolve them.
const sdkRequire = createRequire(createRequire(import.meta.url).resolve('@vector-im/matrix-bot-sdk'));
const STANDS_IN = [
  'request',
  'request-promise',
  'express',
  'morgan',
  'sanitize-html',
  'html-to-text',
  'lowdb',
  'postgres',
  'htmlencode',
];
const NOT_INSTALLED = /a dependency of matrix-bot-sdk that this bot does not install was called/;

describe("the SDK's unused dependencies", () => {
  it.each(STANDS_IN)(
    '%s is the stand-in, which fails when called, constructed or used through a property',
    (name) => {
      const dependency = sdkRequire(name);
      expect(sdkRequire.resolve(name)).toMatch(/packages\/sdk-unused-dependency\/index\.js$/);
      expect(() => dependency()).toThrow(NOT_INSTALLED);
      expect(() => new dependency()).toThrow(NOT_INSTALLED);
      expect(() => dependency.htmlToText('<b>x</b>')).toThrow(NOT_INSTALLED);
      expect(() => dependency.Router().get('/')).toThrow(NOT_INSTALLED);
    },
  );

  it("stands in for lowdb's file adapter too, which the SDK requires beside lowdb", () => {
    const FileSync = sdkRequire('lowdb/adapters/FileSync');
    expect(() => new FileSync('bot-sdk.json')).toThrow(NOT_INSTALLED);
  });

  it("makes a client without the bot's transport fail loudly instead of sending through `request`", async () => {
    // BotMatrixClient installs the fetch transport (transport.test.ts); a bare client that was not given one
    // must not reach the network through an unmaintained library.
    const bare = new MatrixClient('http://127.0.0.1:9', 'token');
    await expect(bare.doRequest('GET', '/_matrix/client/versions')).rejects.toThrow(NOT_INSTALLED);
  });

  it('loading the SDK prints no deprecation warning (htmlencode called util._extend at load time)', () => {
    const run = spawnSync(process.execPath, ['-e', "require('@vector-im/matrix-bot-sdk')"], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stderr).not.toContain('DeprecationWarning');
  });

  it("makes the SDK's HTML helpers fail loudly (the bot builds its own HTML)", () => {
    const event = { event_id: '$e', sender: '@a:x', content: { body: 'hi', msgtype: 'm.text' } };
    expect(() => RichReply.createFor('!r:x', event, 'text', '<b>html</b>')).toThrow(NOT_INSTALLED);
  });
});
