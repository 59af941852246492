// Rewrites the configuration reference in README.md from the schema (npm run config:docs).
import { readFileSync, writeFileSync } from 'node:fs';
import { configReference } from '../src/config/docs.js';

const START = '<!-- config:start -->';
const END = '<!-- config:end -->';
const readme = readFileSync('README.md', 'utf8');
const [before, rest] = readme.split(START);
const after = rest?.split(END)[1];
if (before === undefined || after === undefined) throw new Error(`README.md lacks ${START} … ${END}`);
writeFileSync('README.md', `${before}${START}\n${configReference()}\n${END}${after}`);
console.log('README.md configuration reference updated');
