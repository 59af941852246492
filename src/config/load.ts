import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { resolveConfigPaths } from './paths.js';
import { type Config, configSchema, secretEnvironment } from './schema.js';

/** A configuration problem an operator can fix; its message names the file and every bad key. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration in ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Json = Record<string, unknown>;

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [
      code === 'ENOENT'
        ? 'file not found (copy config.example.json to config.json, or pass --config <file>)'
        : `cannot read file (${code ?? String(error)})`,
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, [`not valid JSON: ${(error as Error).message}`]);
  }
  // Relative paths in the file are the file's own: the same files whatever the working folder.
  return resolveConfigPaths(parseConfig(raw, file, env), raw, dirname(resolve(file)));
}

export function parseConfig(raw: unknown, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(file, [`expected a JSON object at the top level, found ${describeValue(raw)}`]);
  }
  const input = withSecretsFromEnvironment(raw as Json, env);
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(
    file,
    result.error.issues.map((issue) => describeIssue(issue, input)),
  );
}

function withSecretsFromEnvironment(raw: Json, env: NodeJS.ProcessEnv): Json {
  const copy = structuredClone(raw);
  for (const { path, variable } of secretEnvironment) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    const [section, key] = path;
    const parent = copy[section];
    if (parent === undefined) copy[section] = { [key]: value };
    else if (typeof parent === 'object' && parent !== null && !Array.isArray(parent)) {
      (parent as Json)[key] = value;
    }
  }
  return copy;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const key = formatPath(issue.path);
  const found = valueAt(input, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const where = issue.path.length ? ` in ${key}` : '';
      return `unknown key${issue.keys.length > 1 ? 's' : ''}${where}: ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    case 'invalid_type': {
      const secret = secretEnvironment.find((s) => s.path.join('.') === key);
      if (found === undefined) {
        return `${key}: missing, expected ${issue.expected}${secret ? ` (or set the environment variable ${secret.variable})` : ''}`;
      }
      return `${key}: expected ${issue.expected}, found ${describeValue(found, !!secret)}`;
    }
    default: {
      const secret = secretEnvironment.some((s) => s.path.join('.') === key);
      const noScheme =
        issue.code === 'invalid_format' && issue.format === 'url' && typeof found === 'string'
          ? !/^https?:\/\//i.test(found)
          : false;
      return `${key}: expected ${expectation(issue)}, found ${describeValue(found, secret)}${noScheme ? ' (write http:// or https:// in front)' : ''}`;
    }
  }
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `at least ${String(issue.minimum)} characters`
        : `at least ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'string'
        ? `at most ${String(issue.maximum)} characters`
        : `at most ${String(issue.maximum)}`;
    case 'invalid_format':
      if (issue.format === 'url') return 'an http(s) URL like https://example.org';
      return issue.format === 'regex' ? issue.message : `a ${issue.format}`;
    default:
      return issue.message.replace(/^Invalid input: /, '');
  }
}

function formatPath(path: PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || '(top level)';
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let current: unknown = input;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/** Shows what was found without ever echoing a secret. */
function describeValue(value: unknown, secret = false): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (secret) return `a ${typeof value} (value hidden)`;
  const shown = JSON.stringify(value);
  return `${typeof value} ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}`;
}
