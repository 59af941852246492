import { type Catalogue, de } from './de.js';
import { en } from './en.js';

export type Language = 'de' | 'en';
export type { Catalogue, TallyView } from './de.js';

const catalogues: Record<Language, Catalogue> = { de, en };

export function catalogue(language: Language): Catalogue {
  return catalogues[language];
}

/** Dates as people read them, in the operator's time zone. */
export function formatDateTime(language: Language, timezone: string, at: number): string {
  return new Intl.DateTimeFormat(catalogues[language].languageTag, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: timezone,
  }).format(at);
}

export function formatDate(language: Language, timezone: string, at: number): string {
  return new Intl.DateTimeFormat(catalogues[language].languageTag, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    timeZone: timezone,
  }).format(at);
}
