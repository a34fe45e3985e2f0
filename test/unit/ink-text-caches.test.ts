// ink 6.8's text caches keep every string ever measured (ink#986); the build patches ink's files so that they are
// bounded, and tail falls back to a loader hook when the files are not patched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { boundInkTextCaches, INK_TEXT_CACHE_LIMIT, INK_TEXT_CACHES_KEY } from '../../src/ui/ink-text-caches.js';
import { INK_PATCH_MARKER, patchInkSource } from '../../src/ui/ink-text-caches-patch.js';

type Caches = { measure?: Map<string, unknown>; wrap?: Map<string, unknown> };

test("ink's measureText and wrapText caches stay bounded however many distinct strings are drawn", async () => {
  assert.equal(boundInkTextCaches(), 'on-disk', 'npm run build patched the installed ink');
  const inkUrl = import.meta.resolve('ink');
  // The same module instances ink itself uses (same URLs), reached past the package's exports map.
  const measureText = (await import(new URL('./measure-text.js', inkUrl).href)).default as (text: string) => { width: number; height: number };
  const wrapText = (await import(new URL('./wrap-text.js', inkUrl).href)).default as (text: string, width: number, type: string) => string;
  const caches = (globalThis as Record<symbol, Caches>)[Symbol.for(INK_TEXT_CACHES_KEY)];
  assert.ok(caches?.measure && caches.wrap, 'both caches are the patched ones');
  for (let i = 0; i < INK_TEXT_CACHE_LIMIT * 3; i++) {
    assert.equal(measureText(`row ${i} 王二`).width, `row ${i} `.length + 4);
    wrapText(`a row that is longer than the width ${i}`, 10, 'truncate');
  }
  assert.equal(caches.measure.size, INK_TEXT_CACHE_LIMIT);
  assert.equal(caches.wrap.size, INK_TEXT_CACHE_LIMIT);
  assert.ok(caches.measure.has(`row ${INK_TEXT_CACHE_LIMIT * 3 - 1} 王二`), 'the newest entries are kept');
  assert.equal(wrapText('abcdefghijklmnop', 5, 'truncate'), 'abcd…', 'wrapping still works');
});

test("the patch applies to ink 6.8's own sources, once, and refuses code it does not know", () => {
  const build = new URL('.', import.meta.resolve('ink'));
  for (const file of ['measure-text.js', 'wrap-text.js'] as const) {
    const patched = readFileSync(fileURLToPath(new URL(file, build)), 'utf8');
    assert.ok(patched.startsWith(INK_PATCH_MARKER));
    assert.equal(patchInkSource(file, patched), patched, 'patching twice changes nothing');
    // ink 6.8's original, recovered by undoing the patch, is what the patch knows.
    const original = patched
      .replace(`${INK_PATCH_MARKER}\n`, '')
      .replace(/const cache = new \(class[^\n]*\n/, file === 'measure-text.js' ? 'const cache = new Map();\n' : 'const cache = {};\n')
      .replace('cache.get(cacheKey)', 'cache[cacheKey]')
      .replace('cache.set(cacheKey, wrappedText);', 'cache[cacheKey] = wrappedText;');
    assert.equal(patchInkSource(file, original), patched);
  }
  assert.equal(patchInkSource('measure-text.js', 'const cache = new LRU();'), undefined);
  assert.equal(patchInkSource('wrap-text.js', 'const cache = new WeakMap();'), undefined);
});

test('the loader hook (when ink on disk is not patched) patches those two files as they load, and nothing else', async () => {
  const { load } = await import('../../src/ui/ink-text-caches-hooks.js');
  const original = 'import widestLine from "widest-line";\nconst cache = new Map();\nexport default cache;\n';
  const next = async () => ({ format: 'module', source: new TextEncoder().encode(original) });
  const patched = await load('file:///app/node_modules/ink/build/measure-text.js', {}, next);
  assert.ok(String(patched.source).startsWith(INK_PATCH_MARKER));
  const other = await load('file:///app/node_modules/other/build/measure-text.js', {}, next);
  assert.equal(new TextDecoder().decode(other.source as Uint8Array), original);
});
