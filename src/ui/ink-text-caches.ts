// ink 6.8 keeps every string it ever measured or wrapped (ink#986); tail draws new rows all day. The fix
// (ink-text-caches-patch.ts) is applied to ink's files by scripts/patch-ink.js at install and build time; when
// they are not patched (installed with --ignore-scripts, or read-only), a loader hook applies it as ink loads.
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { INK_PATCH_MARKER } from './ink-text-caches-patch.js';

export { INK_TEXT_CACHE_LIMIT, INK_TEXT_CACHES_KEY } from './ink-text-caches-patch.js';

function patchedOnDisk(): boolean {
  try {
    const build = new URL('.', import.meta.resolve('ink'));
    return ['measure-text.js', 'wrap-text.js'].every((file) => readFileSync(fileURLToPath(new URL(file, build)), 'utf8').includes(INK_PATCH_MARKER));
  } catch {
    return false;
  }
}

/**
 * Make sure ink's text caches are bounded; call before ink is first imported. Resolves to how: the files on disk
 * are patched (free), or a loader hook patches them as they load (a worker thread: some start-up time and memory).
 */
export function boundInkTextCaches(): 'on-disk' | 'loader-hook' {
  if (patchedOnDisk()) return 'on-disk';
  register('./ink-text-caches-hooks.js', import.meta.url);
  return 'loader-hook';
}
