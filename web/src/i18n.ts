// UI strings from locales/*.json and locale-aware formatting with Intl. Every string
// the dashboard shows is a key here; data from the server (segment names, profile
// descriptions, health messages, rule errors) is shown as it comes.
import en from './locales/en.json';
import ro from './locales/ro.json';
import bg from './locales/bg.json';
import pl from './locales/pl.json';
import it from './locales/it.json';
import pt from './locales/pt.json';

export type Messages = Record<string, string>;
export type MessageKey = keyof typeof en;

export interface Language {
  code: string; // the locale file's name
  intl: string; // the locale Intl formats with
  name: string; // the language's own name, for the switcher
}

export const LANGUAGES: Language[] = [
  { code: 'en', intl: 'en-GB', name: 'English' },
  { code: 'ro', intl: 'ro-RO', name: 'Română' },
  { code: 'bg', intl: 'bg-BG', name: 'Български' },
  { code: 'pl', intl: 'pl-PL', name: 'Polski' },
  { code: 'it', intl: 'it-IT', name: 'Italiano' },
  { code: 'pt', intl: 'pt-PT', name: 'Português' },
];

export const MESSAGES: Record<string, Messages> = { en, ro, bg, pl, it, pt };

const STORAGE_KEY = 'segmenta.lang';
let current: Language = LANGUAGES[0];
const listeners: Array<() => void> = [];

function find(code: string | null | undefined): Language | undefined {
  if (!code) return undefined;
  const base = code.toLowerCase().split('-')[0];
  return LANGUAGES.find((lang) => lang.code === base);
}

// The stored choice, else the browser's language when we have it, else English.
export function initLanguage(): void {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    stored = null;
  }
  current = find(stored) ?? find(navigator.language) ?? LANGUAGES[0];
  document.documentElement.lang = current.code;
}

export function language(): Language {
  return current;
}

export function setLanguage(code: string): void {
  const next = find(code);
  if (!next || next === current) return;
  current = next;
  document.documentElement.lang = current.code;
  try {
    localStorage.setItem(STORAGE_KEY, current.code);
  } catch {
    // storage may be disabled: the choice lasts until the page reloads
  }
  for (const listener of listeners) listener();
}

export function onLanguageChange(listener: () => void): void {
  listeners.push(listener);
}

// t('members.range', {from: '1', to: '50'}): the string in the current language with
// {name} placeholders filled; English when a key is missing, the key as a last resort.
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = MESSAGES[current.code]?.[key] ?? (en as Messages)[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

// ---- formatting -------------------------------------------------------------------

const formatters = new Map<string, Intl.NumberFormat>();

function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = current.intl + JSON.stringify(options);
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.NumberFormat(current.intl, options);
    formatters.set(key, format);
  }
  return format;
}

export const DASH = '—';

export function fmtInt(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return numberFormat({ maximumFractionDigits: 0 }).format(value);
}

export function fmtNum(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return numberFormat({ maximumFractionDigits: digits }).format(value);
}

// A signed number (+1.2 / −0.8), for differences in standard deviations.
export function fmtSigned(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return numberFormat({
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    signDisplay: 'exceptZero',
  }).format(value);
}

// A share in 0..1 as a percentage.
export function fmtPct(share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return DASH;
  return numberFormat({
    style: 'percent',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(share);
}

// A difference of two shares in percentage points, signed: +1.2 pp.
export function fmtPoints(difference: number | null | undefined, digits = 1): string {
  if (difference === null || difference === undefined || !Number.isFinite(difference)) return DASH;
  return t('format.pp', { value: fmtSigned(difference * 100, digits) });
}

// A p-value with three decimals; under 0.001 as "< 0.001".
export function fmtPValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return DASH;
  if (p < 0.001) return t('format.below', { value: fmtFixed(0.001, 3) });
  return fmtFixed(p, 3);
}

// Money totals: the workspace records no currency, so amounts carry none; whole units.
export function fmtMoney(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return numberFormat({ maximumFractionDigits: 0 }).format(value);
}

// A number with exactly this many decimals (lifts, scores).
export function fmtFixed(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return numberFormat({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

export function fmtSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return DASH;
  return numberFormat({ style: 'unit', unit: 'second', maximumFractionDigits: 2 }).format(seconds);
}

export function fmtMilliseconds(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  return numberFormat({ style: 'unit', unit: 'millisecond', maximumFractionDigits: 1 }).format(ms);
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

// 'YYYY-MM-DD' is a calendar date (no time zone shift); anything else is parsed as a
// timestamp, UTC when it names no zone. Text that is no date is shown as it is.
export function fmtDate(text: string | null | undefined): string {
  if (!text) return DASH;
  const match = DATE_ONLY.exec(text);
  if (!match) return fmtDateTime(text);
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(current.intl, { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}

export function parseTimestamp(text: string): Date | null {
  let iso = text.trim().replace(' ', 'T');
  if (DATE_ONLY.test(iso)) iso += 'T00:00:00';
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) iso += 'Z';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function fmtDateTime(text: string | null | undefined): string {
  if (!text) return DASH;
  const date = parseTimestamp(text);
  if (!date) return text;
  return new Intl.DateTimeFormat(current.intl, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

// A feature value as the API sends it (text): numbers formatted, empty as missing.
export function fmtFeature(text: string): string {
  if (text === '') return t('common.missing');
  if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text)) return fmtNum(Number(text), 3);
  return text;
}
