// `npm start` with a notice whose placeholders the config does not fill: the bot refuses to start with
// a configuration error naming the key, before it talks to the homeserver or BBB.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, tsx } from '../../support/run-to-end.js';

async function start(config: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'meetbot-notice-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ ...config, database: { path: join(dir, 'bot.db') } }));
  return { ...(await tsx('src/main.ts', ['--config', file])), file };
}

describe('starting with an unfilled notice', () => {
  it('exits 2 and names each missing fact, like any configuration error', async () => {
    const { code, stderr, file } = await start({
      // Nothing listens on port 9: reaching the homeserver would fail differently.
      matrix: { homeserverUrl: 'http://127.0.0.1:9', accessToken: 'token' },
      bbb: { url: 'http://127.0.0.1:9/bigbluebutton/', secret: 'secret-secret' },
      notice: {
        controller: 'Beispiel GmbH',
        contact: 'datenschutz@example.org',
        bbbProvider: 'Hosting GmbH',
        finalDeletion: 'Gelöschte Aufzeichnungen sind nach einer Woche auch aus dem Papierkorb entfernt.',
      },
    });
    expect(code).toBe(2);
    expect(stderr).toContain(`Invalid configuration in ${file}:`);
    expect(stderr).toContain(
      `  - notice.bbbProviderPrivacyUrl: missing, the notice ${join(REPO, 'notices/privacy-notice.de.txt')} uses {{bbbProviderPrivacyUrl}}`,
    );
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 30_000);
});
