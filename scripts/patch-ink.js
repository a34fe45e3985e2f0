#!/usr/bin/env node
// Bound ink 6.8's two text caches on disk (upstream ink#986): run by npm at install (postinstall) and by
// `npm run build`. Uses the patch compiled from src/ui/ink-text-caches-patch.ts; before the first build there is
// none yet, and `tail` applies the same patch with a loader hook instead. Never fails an install.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const patchModule = new URL('../dist/src/ui/ink-text-caches-patch.js', import.meta.url);
if (!existsSync(patchModule)) process.exit(0);
const { patchInkSource } = await import(patchModule.href);
let build;
try {
  build = new URL('.', import.meta.resolve('ink'));
} catch {
  process.exit(0);
}
for (const file of ['measure-text.js', 'wrap-text.js']) {
  const path = fileURLToPath(new URL(file, build));
  try {
    const source = readFileSync(path, 'utf8');
    const patched = patchInkSource(file, source);
    if (patched === undefined) console.error(`feishu-events: ${path} is not the ink 6.8 code the cache patch knows; left as it is`);
    else if (patched !== source) writeFileSync(path, patched);
  } catch (error) {
    console.error(`feishu-events: could not bound ink's text cache in ${path} (${error.code ?? error.message}); tail will patch it as it loads`);
  }
}
