// Two of ink 6.8's imports are patched on disk to load the same modules for less (src/ui/ink-startup-patch.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INK_STARTUP_PATCHES, patchInkStartup } from '../../src/ui/ink-startup-patch.js';

const build = new URL('.', import.meta.resolve('ink'));

test("the build patched ink's two imports, once; the patch knows ink 6.8's code and refuses other code", () => {
  for (const file of ['ink.js', 'reconciler.js'] as const) {
    const patched = readFileSync(fileURLToPath(new URL(file, build)), 'utf8');
    const { from, to } = INK_STARTUP_PATCHES[file];
    assert.equal(patched.split(to).length, 2, `${file} is patched, once`);
    assert.equal(patchInkStartup(file, patched), patched, 'patching twice changes nothing');
    const original = patched.replace(to, from);
    assert.equal(patchInkStartup(file, original), patched, 'ink 6.8\'s original becomes the patched file');
    assert.equal(patchInkStartup(file, original.replace(from, '')), undefined, 'code without the import is left alone');
  }
});

test("es-toolkit/compat/throttle is the module the compat barrel takes throttle from (the same function)", () => {
  // Read, not imported: loading the barrel is what the patch spares.
  const direct = createRequire(fileURLToPath(new URL('ink.js', build))).resolve('es-toolkit/compat/throttle').replace(/\.js$/, '.mjs');
  const reexport = /^export \{ throttle as default \} from '([^']+)';\s*$/.exec(readFileSync(direct, 'utf8'))?.[1];
  assert.ok(reexport, 'compat/throttle.mjs re-exports one module');
  const target = join(dirname(direct), reexport);
  const barrel = join(dirname(direct), '..', 'dist', 'compat', 'index.mjs');
  const taken = /^import \{ throttle \} from "([^"]+)";$/m.exec(readFileSync(barrel, 'utf8'))?.[1];
  assert.ok(taken, 'the barrel imports throttle from one module');
  assert.equal(join(dirname(barrel), taken), target);
});
