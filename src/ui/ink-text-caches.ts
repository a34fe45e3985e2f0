// ink 6.8 keeps every string it ever measured or wrapped in two module-level caches that are never emptied
// (measure-text.js, wrap-text.js; upstream ink#986, fixed in ink 8, which needs Node 22). tail draws new row strings
// all day, so those caches grow without bound. Until ink 8 can be used, a module loader hook gives both caches a
// bound as ink's modules are loaded: the patch lives here, not in node_modules, so no install step can lose it.
import { register } from 'node:module';

/** Entries each cache keeps (the screen needs a few hundred strings per frame). */
export const INK_TEXT_CACHE_LIMIT = 2000;

/** Where the patched caches can be looked at (tests): `{ measure: Map, wrap: Map }`. */
export const INK_TEXT_CACHES = Symbol.for('feishu-events.ink-text-caches');

let registered = false;

/** Install the loader hook; call before ink is first imported. Idempotent. */
export async function boundInkTextCaches(): Promise<void> {
  if (registered) return;
  registered = true;
  register('./ink-text-caches-hooks.js', import.meta.url, { data: { limit: INK_TEXT_CACHE_LIMIT } });
}
