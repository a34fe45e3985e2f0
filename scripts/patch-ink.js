#!/usr/bin/env node
// Bound ink 6.8's two text caches on disk (upstream ink#986), and import ink's one es-toolkit function from its own
// module (start-up): run by npm at install (postinstall) and by `npm run build`. Uses the patches compiled from
// src/ui/ink-text-caches-patch.ts and src/ui/ink-startup-patch.ts; before the first build there are none yet, and
// `tail` applies the cache patch with a loader hook instead. Never fails an install.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

// ink's start-up: two imports that load the same modules for less (src/ui/ink-startup-patch.ts). es-toolkit's own
// throttle module only when the es-toolkit ink resolves has it as an ES module. A file not patched is only slower.
const startupModule = new URL('../dist/src/ui/ink-startup-patch.js', import.meta.url);
if (existsSync(startupModule)) {
  const { patchInkStartup } = await import(startupModule.href);
  for (const file of ['ink.js', 'reconciler.js']) {
    const path = fileURLToPath(new URL(file, build));
    try {
      if (file === 'ink.js' && !existsSync(createRequire(path).resolve('es-toolkit/compat/throttle').replace(/\.js$/, '.mjs'))) continue;
      const source = readFileSync(path, 'utf8');
      const patched = patchInkStartup(file, source);
      if (patched !== undefined && patched !== source) writeFileSync(path, patched);
    } catch {
      // left as it is: tail's UI starts slower, nothing else
    }
  }
}
