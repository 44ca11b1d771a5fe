// The interface language: the message catalogues (lang/en.ts, lang/fr.ts), the chosen
// language, and numbers and dates in its conventions. The French tables are typed against
// the English ones, so a string added in one language and forgotten in the other does not
// build. The language is the one chosen in `localStorage['bonifica.lang']`, else the
// browser's first; `setLang` changes it and tells every view to draw itself again.
//
// Plurals are written `one|other` and chosen by the language's plural rules on `{n}`.

import { type Key, MESSAGES_EN, WORDS_EN } from './lang/en';
import { MESSAGES_FR, WORDS_FR } from './lang/fr';

export type { Key };
export type Lang = 'en' | 'fr';

/** The languages offered, in the order of the switch. */
export const LANGS: Lang[] = ['en', 'fr'];

const MESSAGES: Record<Lang, Record<Key, string>> = { en: MESSAGES_EN, fr: MESSAGES_FR };
const WORDS: Record<Lang, Record<string, string>> = { en: WORDS_EN, fr: WORDS_FR };
/** The locale of numbers and dates: British English writes dates day first, as French does. */
const LOCALES: Record<Lang, string> = { en: 'en-GB', fr: 'fr-FR' };
const STORAGE_KEY = 'bonifica.lang';

function pickLanguage(): Lang {
  const chosen = localStorage.getItem(STORAGE_KEY);
  if (chosen === 'en' || chosen === 'fr') return chosen;
  const first = (navigator.languages?.[0] ?? navigator.language ?? 'en').toLowerCase();
  return first.startsWith('fr') ? 'fr' : 'en';
}

/** The interface language (a live binding: it changes with `setLang`). */
export let LANG: Lang = pickLanguage();

let plurals = new Intl.PluralRules(LOCALES[LANG]);
let numbers = new Map<number, Intl.NumberFormat>();
let days = dayFormat();
let months = monthFormat();
const listeners = new Set<() => void>();
document.documentElement.lang = LANG;

function dayFormat(): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(LOCALES[LANG], { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

function monthFormat(): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(LOCALES[LANG], { month: 'short', year: 'numeric', timeZone: 'UTC' });
}

/**
 * Chooses the interface language: remembered in this browser, set on `<html lang>`, and
 * every view registered with `onLangChange` draws itself again.
 */
export function setLang(lang: Lang): void {
  localStorage.setItem(STORAGE_KEY, lang);
  if (lang === LANG) return;
  LANG = lang;
  plurals = new Intl.PluralRules(LOCALES[lang]);
  numbers = new Map();
  days = dayFormat();
  months = monthFormat();
  document.documentElement.lang = lang;
  for (const listener of [...listeners]) listener();
}

/** Calls `listener` after each change of language; returns the function that stops it. */
export function onLangChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The message `key` with `{name}` placeholders filled; `one|other` forms chosen by `{n}`. */
export function t(key: Key, params: Record<string, string | number> = {}): string {
  let text = MESSAGES[LANG][key] ?? MESSAGES_EN[key] ?? key;
  if (text.includes('|')) {
    const [one, other] = text.split('|');
    text = typeof params.n === 'number' && plurals.select(params.n) === 'one' ? one : other;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!(name in params)) return whole;
    const value = params[name];
    return typeof value === 'number' ? num(value) : value;
  });
}

/** A field's name for a person (`cleared_m2` → "Cleared (m²)"). */
export function label(field: string): string {
  return WORDS[LANG][field] ?? spaced(field);
}

const compacts = new Map<string, Intl.NumberFormat>();
/** A large number in few digits, as the language writes it ("7.38B", "7,38 Md"). */
export function compact(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  let format = compacts.get(LANG);
  if (!format) {
    format = new Intl.NumberFormat(LOCALES[LANG], { notation: 'compact', maximumSignificantDigits: 3 });
    compacts.set(LANG, format);
  }
  return format.format(value);
}

/** A value of an enumeration for a person: `option('state', 'verified')` → "verified". */
export function option(group: string, value: unknown): string {
  const v = String(value ?? '');
  return WORDS[LANG][`${group}.${v}`] ?? WORDS[LANG][v] ?? spaced(v);
}

/** Whether the catalogue has a word for `group.value`: an enumeration it knows. */
export function knows(group: string, value: unknown): boolean {
  return `${group}.${String(value)}` in WORDS[LANG];
}

/** The text with its first letter in capitals, as the language writes it. */
export function capital(text: string): string {
  return text.charAt(0).toLocaleUpperCase(LOCALES[LANG]) + text.slice(1);
}

/** A number in the language's conventions, with at most `digits` decimals; `–` when absent. */
export function num(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  let format = numbers.get(digits);
  if (!format) {
    format = new Intl.NumberFormat(LOCALES[LANG], { maximumFractionDigits: digits, minimumFractionDigits: 0 });
    numbers.set(digits, format);
  }
  return format.format(value);
}

/** A share (0.25) as a percentage in the language's conventions ("25 %"). */
export function percent(share: number, digits = 0): string {
  if (!Number.isFinite(share)) return '–';
  return new Intl.NumberFormat(LOCALES[LANG], { style: 'percent', maximumFractionDigits: digits }).format(share);
}

/** A calendar day (`YYYY-MM-DD`) as the language writes it ("1 Mar 2027", "1 mars 2027"); other text unchanged. */
export function day(date: string | null | undefined): string {
  if (!date) return '';
  const ms = Date.parse(date.slice(0, 10));
  return /^\d{4}-\d{2}-\d{2}/.test(date) && Number.isFinite(ms) ? days.format(ms) : date;
}

/** A month (`YYYY-MM`) as the language writes it ("Mar 2027", "mars 2027"). */
export function month(yearMonth: string): string {
  const ms = Date.parse(`${yearMonth.slice(0, 7)}-01`);
  return Number.isFinite(ms) ? months.format(ms) : yearMonth;
}

/** A moment (an RFC 3339 timestamp) in the browser's time zone, date and time. */
export function moment(at: string | null | undefined): string {
  if (!at) return '';
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? at : d.toLocaleString(LOCALES[LANG], { dateStyle: 'medium', timeStyle: 'short' });
}

/** A time of day now, in the language's conventions. */
export function timeNow(): string {
  return new Date().toLocaleTimeString(LOCALES[LANG]);
}

/** Turns `worked_on` into `worked on`, for words no catalogue has. */
function spaced(value: string): string {
  return value.replaceAll('_', ' ');
}
