import { z } from 'zod';
import { configSchema, secretEnvironment } from './schema.js';

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  format?: string;
}

/**
 * The configuration reference as a Markdown table, generated from the schema's descriptions and
 * defaults (the README embeds it; a test keeps them identical).
 */
export function configReference(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const rows: string[] = ['| key | type | default | meaning |', '|---|---|---|---|'];
  const walk = (node: JsonSchema, path: string[]) => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const here = [...path, key];
      if (child.type === 'object' && child.properties) {
        walk(child, here);
        continue;
      }
      const env = secretEnvironment.find((s) => s.path.join('.') === here.join('.'));
      const meaning = `${child.description ?? ''}${env ? `. Secret: may come from the environment variable \`${env.variable}\` instead` : ''}`;
      rows.push(
        `| \`${here.join('.')}\` | ${typeName(child)} | ${defaultText(child, node.required?.includes(key) ?? false)} | ${meaning.replace(/\|/g, '\\|')} |`,
      );
    }
  };
  walk(schema, []);
  return rows.join('\n');
}

function typeName(node: JsonSchema): string {
  if (node.enum) return node.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' / ');
  if (node.anyOf) return node.anyOf.map(typeName).join(' or ');
  if (node.type === 'array') return `list of ${node.items ? typeName(node.items) : 'values'}`;
  if (node.format === 'uri') return 'URL';
  return Array.isArray(node.type) ? node.type.join(' or ') : (node.type ?? 'value');
}

function defaultText(node: JsonSchema, required: boolean): string {
  if (node.default !== undefined) return `\`${JSON.stringify(node.default)}\``;
  return required ? 'required' : 'optional';
}
