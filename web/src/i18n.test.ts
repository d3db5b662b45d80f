// Formatting follows the chosen language (Intl), and t() fills placeholders.
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.stubGlobal('document', { documentElement: { lang: 'en' } });
vi.stubGlobal('navigator', { language: 'en-GB' });
vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => {} });

const i18n = await import('./i18n');

afterEach(() => i18n.setLanguage('en'));

describe('i18n', () => {
  it('fills placeholders', () => {
    i18n.setLanguage('en');
    expect(i18n.t('members.range', { from: 1, to: 50, total: 237 })).toBe('1–50 of 237');
  });

  it('formats numbers and percentages per language', () => {
    i18n.setLanguage('en');
    expect(i18n.fmtPct(0.079)).toBe('7.9%');
    expect(i18n.fmtInt(12345)).toBe('12,345');
    i18n.setLanguage('ro');
    expect(i18n.t('nav.overview')).toBe('Prezentare generală');
    expect(i18n.fmtPct(0.079)).toMatch(/^7,9\s?%$/);
    expect(i18n.fmtInt(12345)).toBe('12.345');
    i18n.setLanguage('bg');
    expect(i18n.fmtInt(12345)).toMatch(/^12\s345$/);
  });

  it('reads calendar dates without shifting the day', () => {
    i18n.setLanguage('en');
    expect(i18n.fmtDate('2026-08-01')).toBe('1 Aug 2026');
    i18n.setLanguage('pt');
    expect(i18n.fmtDate('2026-08-01')).toMatch(/^1\/08\/2026$|^01\/08\/2026$|ago/);
  });

  it('shows missing feature values as missing', () => {
    i18n.setLanguage('it');
    expect(i18n.fmtFeature('')).toBe('mancante');
    expect(i18n.fmtFeature('0.3789423383')).toBe('0,379');
    expect(i18n.fmtFeature('web')).toBe('web');
  });
});
