import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReference } from '../../../src/config/docs.js';

describe('configuration reference', () => {
  it('in the README matches the schema (run `npm run config:docs` after changing it)', () => {
    const readme = readFileSync('README.md', 'utf8');
    const embedded = readme.split('<!-- config:start -->\n')[1]?.split('\n<!-- config:end -->')[0];
    expect(embedded).toBe(configReference());
  });
});
