// Tests of the add-on's message catalogue (app/addon/Messages.gs): every text in both languages
// with the same placeholders, no English left in a Chinese text, every key the code uses present,
// and no sentence a person sees written anywhere but in the catalogue.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';

import { ADDON_DIR, addonFile, createAppsScript, loadAddon, plain } from './harness.mjs';

const LANGUAGES = ['en', 'zh'];
// English a Chinese text may keep: product and platform names, units, codes, a key name.
const ALLOWED_IN_ZH = new Set([
  'SLA', 'ID', 'HTTP', 'Google', 'Apps', 'Script', 'Ctrl', 'C', 'localhost',
  'P1', 'P2', 'P3', 'P4', 'Superbuy', 'Bhiner', 'Yoybuy',
]);

function catalogue() {
  return plain(loadAddon(createAppsScript()).MESSAGES);
}

/** The sorted placeholder names of a text: "{run} of {total}" -> ["run", "total"]. */
function placeholders(text) {
  return [...text.matchAll(/\{([A-Za-z][A-Za-z0-9_]*)\}/g)].map((m) => m[1]).sort();
}

/**
 * The English words of a Chinese text outside ALLOWED_IN_ZH, after taking out placeholders, URLs,
 * `code` and what stands for a URL's parts (https://, 127.0.0.1, [::1]).
 */
function englishWords(text) {
  const stripped = text
    .replace(/\{[A-Za-z][A-Za-z0-9_]*\}/g, ' ')
    .replace(/`[^`]*`/g, ' ')
    .replace(/\bhttps?:\/\/\S*/g, ' ')
    .replace(/\[::1\]/g, ' ');
  return (stripped.match(/[A-Za-z][A-Za-z0-9']*/g) || []).filter((word) => !ALLOWED_IN_ZH.has(word));
}

describe('the catalogue', () => {
  test('every key has a non-empty English and Chinese text with the same placeholders', () => {
    // Checks completeness key by key, and that no placeholder exists in one language only.
    const messages = catalogue();
    assert.ok(Object.keys(messages).length > 100, 'the catalogue holds the add-on’s texts');
    for (const [key, entry] of Object.entries(messages)) {
      assert.deepEqual(Object.keys(entry).sort(), LANGUAGES, key);
      for (const language of LANGUAGES) {
        assert.equal(typeof entry[language], 'string', `${key}.${language}`);
        assert.ok(entry[language].trim(), `${key}.${language} is empty`);
      }
      assert.deepEqual(placeholders(entry.zh), placeholders(entry.en), `${key}: placeholders differ`);
    }
  });

  test('a count’s texts come in pairs, .one and .other, with the same placeholders', () => {
    // Checks that tn_ always finds both forms, and that they take the same params.
    const messages = catalogue();
    for (const key of Object.keys(messages).filter((k) => /\.(one|other)$/.test(k))) {
      const base = key.replace(/\.(one|other)$/, '');
      assert.ok(messages[`${base}.one`] && messages[`${base}.other`], `${base} lacks a form`);
      assert.deepEqual(placeholders(messages[`${base}.one`].en), placeholders(messages[`${base}.other`].en), base);
    }
  });

  test('a Chinese text holds no English word outside the allowed names, codes and units', () => {
    // Checks every zh text; the checker itself is shown to catch a planted leak.
    assert.deepEqual(englishWords('已同步 {count} cases：见 https://desk.example.com/a（任务 57）'), ['cases']);
    assert.deepEqual(englishWords('按 Ctrl+C 复制 P1 案件的 SLA'), []);
    const leaks = Object.entries(catalogue())
      .map(([key, entry]) => [key, englishWords(entry.zh)])
      .filter(([, words]) => words.length);
    assert.deepEqual(leaks, []);
  });

  test('an English text has no Chinese in it', () => {
    // Checks the other direction: nothing Chinese slipped into an English text.
    const mixed = Object.entries(catalogue()).filter(([, entry]) => /[\u3400-\u9fff]/.test(entry.en));
    assert.deepEqual(mixed.map(([key]) => key), []);
  });
});

// ---------------------------------------------------------------------------------------------
// The sources: texts only in the catalogue, keys only from it
// ---------------------------------------------------------------------------------------------

const SOURCES = readdirSync(ADDON_DIR).filter((name) => /\.(gs|html)$/.test(name) && name !== 'Messages.gs');
// Quoted text in the sources that is not shown to people: header texts looked for, values
// compared, a JS directive, page file names, HTTP header names, a CSS selector, a date pattern.
const NOT_SHOWN = new Set([
  'Case ID', 'Case No.', 'Case', 'sheet secret', 'built in', 'use strict',
  'Sidebar', 'Setup', 'Authorization', 'Location', 'Retry-After', '.reply textarea', 'yyyy-MM-dd HH:mm',
  // Language.gs's errors for a key missing from the catalogue or a page without its marker:
  // programming mistakes the tests here catch before a person could meet them.
  'No message "', '" in Messages.gs', '.html has no ', ' for its texts',
]);

/** The code of a source without its comments (block comments and "// " line comments). */
function withoutComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|\s)\/\/\s.*$/gm, '$1');
}

/** The string literals of a script's code. */
function stringLiterals(code) {
  return [...code.matchAll(/'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"/g)].map((m) => m[1] ?? m[2]);
}

/** Whether a text reads as English words to a person: two words of letters, or one capitalised. */
function readsAsEnglish(text) {
  return /[A-Za-z]{2,}[,.:;!?…]* +[A-Za-z]{2,}/.test(text) || /^[A-Z][a-z]+[.…:!?]?$/.test(text);
}

/** What a page shows outside its scripts: text between tags and the texts of its attributes. */
function markupTexts(html) {
  const markup = html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<style[\s\S]*?<\/style>/g, '');
  const between = [...markup.matchAll(/>([^<]+)</g)].map((m) => m[1].trim()).filter(Boolean);
  const attributes = [...markup.matchAll(/\s(?:title|placeholder|aria-label|alt)="([^"]*)"/g)].map((m) => m[1]);
  return [...between, ...attributes];
}

function scriptsOf(name) {
  const text = addonFile(name);
  if (name.endsWith('.gs')) return text;
  return [...text.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
}

describe('the sources', () => {
  test('no .gs or .html file but Messages.gs holds a sentence people see', () => {
    // Checks quoted strings in the code and the pages' markup; the checker is shown to catch one.
    assert.deepEqual(
      stringLiterals(withoutComments("x = 'Syncing…'; // a note\ny = 'a.key'; z = 'Undo run ' + id;")).filter(readsAsEnglish),
      ['Syncing…', 'Undo run '],
    );
    assert.ok(SOURCES.includes('Code.gs') && SOURCES.includes('Sidebar.html'), SOURCES.join());
    const found = [];
    for (const name of SOURCES) {
      for (const text of stringLiterals(withoutComments(scriptsOf(name)))) {
        if (readsAsEnglish(text) && !NOT_SHOWN.has(text)) found.push(`${name}: '${text}'`);
      }
      if (name.endsWith('.html')) {
        for (const text of markupTexts(addonFile(name))) {
          if (/[A-Za-z]{2,}/.test(text)) found.push(`${name} markup: ${text}`);
        }
      }
    }
    assert.deepEqual(found, []);
  });

  test('every key the sources name is in the catalogue, and every catalogue key is used', () => {
    // Checks t_('…'), tn_('…'), t('…'), data-t="…" and key prefixes ('step.' + step) both ways.
    const messages = catalogue();
    const keys = Object.keys(messages);
    const namespaces = new Set(keys.map((key) => key.split('.')[0]));
    const named = new Set();
    for (const name of SOURCES) {
      const text = addonFile(name);
      for (const literal of [...stringLiterals(text), ...[...text.matchAll(/data-t(?:-[a-z-]+)?="([^"]+)"/g)].map((m) => m[1])]) {
        if (/^[a-z]+\.[A-Za-z.-]*$/.test(literal) && namespaces.has(literal.split('.')[0])) named.add(literal);
      }
    }
    const missing = [...named].filter(
      (key) => !key.endsWith('.') && !messages[key] && !(messages[`${key}.one`] && messages[`${key}.other`]),
    );
    assert.deepEqual(missing, [], 'named in the sources, absent from the catalogue');
    const prefixes = [...named].filter((key) => key.endsWith('.'));
    const unused = keys.filter((key) => {
      const base = key.replace(/\.(one|other)$/, '');
      return !named.has(key) && !named.has(base) && !prefixes.some((prefix) => key.startsWith(prefix));
    });
    assert.deepEqual(unused, [], 'in the catalogue, used nowhere');
  });
});
