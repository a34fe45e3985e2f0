// ink 6.8's text caches keep every string ever measured (ink#986); tail bounds them with a loader hook. This file
// runs in its own process: the hook is installed before ink is first loaded, as tail does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundInkTextCaches, INK_TEXT_CACHE_LIMIT, INK_TEXT_CACHES } from '../../src/ui/ink-text-caches.js';
import { patchInkSource } from '../../src/ui/ink-text-caches-hooks.js';

type Caches = { measure?: Map<string, unknown>; wrap?: Map<string, unknown> };

test("ink's measureText and wrapText caches stay bounded however many distinct strings are drawn", async () => {
  await boundInkTextCaches();
  const inkUrl = import.meta.resolve('ink');
  // The same module instances ink itself uses (same URLs), reached past the package's exports map.
  const measureText = (await import(new URL('./measure-text.js', inkUrl).href)).default as (text: string) => { width: number; height: number };
  const wrapText = (await import(new URL('./wrap-text.js', inkUrl).href)).default as (text: string, width: number, type: string) => string;
  const caches = (globalThis as Record<symbol, Caches>)[INK_TEXT_CACHES];
  assert.ok(caches?.measure && caches.wrap, 'both caches were patched as ink loaded');
  for (let i = 0; i < INK_TEXT_CACHE_LIMIT * 3; i++) {
    assert.equal(measureText(`row ${i} 王二`).width, `row ${i} `.length + 4);
    wrapText(`a row that is longer than the width ${i}`, 10, 'truncate');
  }
  assert.equal(caches.measure.size, INK_TEXT_CACHE_LIMIT);
  assert.equal(caches.wrap.size, INK_TEXT_CACHE_LIMIT);
  assert.ok(caches.measure.has(`row ${INK_TEXT_CACHE_LIMIT * 3 - 1} 王二`), 'the newest entries are kept');
  assert.equal(wrapText('abcdefghijklmnop', 5, 'truncate'), 'abcd…', 'wrapping still works');
});

test('the patch leaves other modules, and sources it does not recognise, untouched', () => {
  const other = 'const cache = new Map();';
  assert.equal(patchInkSource('file:///x/node_modules/other/build/measure-text.js', other), other);
  assert.equal(patchInkSource('file:///x/node_modules/ink/build/wrap-text.js', 'const cache = new WeakMap();'), 'const cache = new WeakMap();');
  assert.match(patchInkSource('file:///x/node_modules/ink/build/measure-text.js', other), /this\.size >= \d+/);
});
