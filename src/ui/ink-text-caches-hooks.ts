// Module loader hooks (registered by ink-text-caches.ts): rewrite ink's two unbounded text caches as bounded maps
// that forget their oldest entries. Anything else loads untouched; if ink's source no longer has the expected lines
// (another ink version), it loads untouched too, and the test of the bound fails.

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: unknown) => Promise<LoadResult>;

let limit = 2000;

export function initialize(data: { limit?: number } | undefined): void {
  if (data?.limit) limit = data.limit;
}

/** A Map that keeps at most `limit` entries, and where the caches are published for inspection. */
function boundedMapSource(name: 'measure' | 'wrap'): string {
  return (
    `new (class extends Map { set(k, v) { if (!this.has(k) && this.size >= ${limit}) this.delete(this.keys().next().value); return super.set(k, v); } })();` +
    ` ((globalThis[Symbol.for('feishu-events.ink-text-caches')] ??= {})[${JSON.stringify(name)}] = cache);`
  );
}

export function patchInkSource(url: string, source: string): string {
  if (url.endsWith('/ink/build/measure-text.js')) {
    return source.replace('const cache = new Map();', `const cache = ${boundedMapSource('measure')}`);
  }
  if (url.endsWith('/ink/build/wrap-text.js')) {
    if (!source.includes('const cache = {};') || !source.includes('cache[cacheKey] = wrappedText;')) return source;
    return source
      .replace('const cache = {};', `const cache = ${boundedMapSource('wrap')}`)
      .replace('const cachedText = cache[cacheKey];', 'const cachedText = cache.get(cacheKey);')
      .replace('cache[cacheKey] = wrappedText;', 'cache.set(cacheKey, wrappedText);');
  }
  return source;
}

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  if (!url.includes('/ink/build/') || (!url.endsWith('/measure-text.js') && !url.endsWith('/wrap-text.js')) || result.source == null) return result;
  const text = typeof result.source === 'string' ? result.source : new TextDecoder().decode(result.source);
  return { ...result, source: patchInkSource(url, text) };
}
