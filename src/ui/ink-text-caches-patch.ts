// The text of the fix for ink 6.8's unbounded text caches (measure-text.js, wrap-text.js; upstream ink#986, fixed
// in ink 8, which needs Node 22): each cache becomes a Map that forgets its oldest entry past a limit. Applied to
// ink's files on disk by scripts/patch-ink.js (postinstall and build), or as ink loads by a loader hook when the
// files could not be patched. No imports: the install script and the loader hook both load this module.

/** Entries each cache keeps (a frame of tail needs a few hundred strings). */
export const INK_TEXT_CACHE_LIMIT = 2000;

/** Marks a patched file. */
export const INK_PATCH_MARKER = '/* feishu-events: bounded text cache (ink#986) */';

/** Where the patched caches can be looked at (tests): `globalThis[Symbol.for(…)] = { measure: Map, wrap: Map }`. */
export const INK_TEXT_CACHES_KEY = 'feishu-events.ink-text-caches';

export type InkCacheFile = 'measure-text.js' | 'wrap-text.js';

function boundedMap(name: 'measure' | 'wrap'): string {
  return (
    `new (class extends Map { set(k, v) { if (!this.has(k) && this.size >= ${INK_TEXT_CACHE_LIMIT}) this.delete(this.keys().next().value); return super.set(k, v); } })();` +
    ` ((globalThis[Symbol.for(${JSON.stringify(INK_TEXT_CACHES_KEY)})] ??= {})[${JSON.stringify(name)}] = cache);`
  );
}

/** The patched source; the source itself when already patched; undefined when it is not the code the patch knows. */
export function patchInkSource(file: InkCacheFile, source: string): string | undefined {
  if (source.includes(INK_PATCH_MARKER)) return source;
  if (file === 'measure-text.js') {
    if (!source.includes('const cache = new Map();')) return undefined;
    return `${INK_PATCH_MARKER}\n${source.replace('const cache = new Map();', `const cache = ${boundedMap('measure')}`)}`;
  }
  const lines = ['const cache = {};', 'const cachedText = cache[cacheKey];', 'cache[cacheKey] = wrappedText;'];
  if (!lines.every((line) => source.includes(line))) return undefined;
  return `${INK_PATCH_MARKER}\n${source
    .replace('const cache = {};', `const cache = ${boundedMap('wrap')}`)
    .replace('const cachedText = cache[cacheKey];', 'const cachedText = cache.get(cacheKey);')
    .replace('cache[cacheKey] = wrappedText;', 'cache.set(cacheKey, wrappedText);')}`;
}
