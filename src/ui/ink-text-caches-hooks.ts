// Module loader hook (registered by ink-text-caches.ts only when ink's files on disk are not patched): patch ink's
// two text caches as they load. Every other module loads untouched.
import { patchInkSource, type InkCacheFile } from './ink-text-caches-patch.js';

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: unknown) => Promise<LoadResult>;

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  const file = /\/ink\/build\/(measure-text\.js|wrap-text\.js)$/.exec(url)?.[1] as InkCacheFile | undefined;
  if (!file || result.source == null) return result;
  const text = typeof result.source === 'string' ? result.source : new TextDecoder().decode(result.source);
  return { ...result, source: patchInkSource(file, text) ?? text };
}
