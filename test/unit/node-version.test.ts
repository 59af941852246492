// The Node version check the entry modules run first: the same range as package.json's engines, and one
// line that names what is needed, what was found and how to install it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NODE_ENGINES, unsupportedNodeMessage } from '../../src/node-version.js';

describe('unsupportedNodeMessage', () => {
  it('uses the range package.json declares in engines', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      engines: { node: string };
    };
    expect(NODE_ENGINES).toBe(pkg.engines.node);
  });

  it.each(['22.12.0', '22.20.1', '23.0.0', '24.21.0'])('accepts Node %s', (version) => {
    expect(unsupportedNodeMessage(version)).toBeNull();
  });

  it.each(['18.19.1', '20.20.2', '22.11.0', '25.0.0'])('refuses Node %s in one line', (version) => {
    const message = unsupportedNodeMessage(version);
    expect(message).not.toBeNull();
    expect(message).not.toContain('\n');
    expect(message).toContain(`Node ${NODE_ENGINES} needed`);
    expect(message).toContain(`found v${version}`);
    expect(message).toContain('npm install --prefix ~/node24 node@24');
  });
});
