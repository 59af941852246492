import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Language } from '../i18n/index.js';

export interface Notice {
  language: Language;
  text: string;
  /** The version consent is tied to. */
  sha256: string;
}

export function loadNotice(path: string, language: Language): Notice {
  const text = readFileSync(path, 'utf8').replace(/\r\n/g, '\n').trim();
  if (!text) throw new Error(`privacy notice ${path} is empty`);
  return { language, text, sha256: createHash('sha256').update(text, 'utf8').digest('hex') };
}

/** Short form of the version for people (the full hash is stored as evidence). */
export function shortVersion(sha256: string): string {
  return sha256.slice(0, 12);
}
