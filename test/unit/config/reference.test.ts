import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReference } from '../../../src/config/docs.js';

describe('configuration reference', () => {
  it('in the README matches the schema (run `npm run config:docs` after changing it)', () => {
    const readme = readFileSync('README.md', 'utf8');
    const embedded = readme.split('<!-- config:start -->\n')[1]?.split('\n<!-- config:end -->')[0];
    expect(embedded).toBe(configReference());
  });

  it('names every key in config.example.json, as the README promises', () => {
    const keysInReference = [...configReference().matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
    const example = JSON.parse(readFileSync('config.example.json', 'utf8')) as Record<string, unknown>;
    const keysInExample: string[] = [];
    const walk = (node: Record<string, unknown>, path: string[]) => {
      for (const [key, value] of Object.entries(node)) {
        if (value && typeof value === 'object' && !Array.isArray(value))
          walk(value as Record<string, unknown>, [...path, key]);
        else keysInExample.push([...path, key].join('.'));
      }
    };
    walk(example, []);
    expect(keysInExample.sort()).toEqual(keysInReference.sort());
  });
});
