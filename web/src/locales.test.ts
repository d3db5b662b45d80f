// Every locale has exactly en.json's keys, no empty strings, and the same {placeholders}.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from './i18n';

const folder = join(dirname(fileURLToPath(import.meta.url)), 'locales');
const load = (file: string) =>
  JSON.parse(readFileSync(join(folder, file), 'utf8')) as Record<string, unknown>;
const en = load('en.json');
const files = readdirSync(folder)
  .filter((file) => file.endsWith('.json'))
  .sort();
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('locale files', () => {
  it('are the six languages the switcher offers', () => {
    expect(files).toEqual(['bg.json', 'en.json', 'it.json', 'pl.json', 'pt.json', 'ro.json']);
    expect(LANGUAGES.map((lang) => `${lang.code}.json`).sort()).toEqual(files);
  });

  for (const file of files) {
    describe(file, () => {
      const messages = load(file);

      it('has exactly the keys of en.json', () => {
        expect(Object.keys(messages).sort()).toEqual(Object.keys(en).sort());
      });

      it('has no empty or non-string values', () => {
        for (const [key, value] of Object.entries(messages)) {
          expect(typeof value, key).toBe('string');
          expect((value as string).trim(), key).not.toBe('');
        }
      });

      it('keeps the placeholders of en.json', () => {
        for (const [key, value] of Object.entries(messages)) {
          expect(placeholders(value as string), key).toEqual(placeholders(en[key] as string));
        }
      });
    });
  }

  it('translates the navigation in every language but English', () => {
    for (const file of files.filter((name) => name !== 'en.json')) {
      expect(load(file)['nav.overview'], file).not.toBe(en['nav.overview']);
    }
  });
});
