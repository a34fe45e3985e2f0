// The generated validators with V8's code cache. A validator is loaded only for a type whose event failed its quick
// check, and its first call compiles one large function (every error, verbose): ~4 ms each, cold, where the rest of
// the run spends ~1 µs an event. The build (scripts/build-validators.js) runs each plain validator once and writes
// the code V8 compiled beside it (<module>.cache); loading it with that cache skips the compile. A cache that V8
// refuses (another node version, other V8 flags) only costs the compile it was meant to spare.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';
import { setV8Flags, YOUNG_GENERATION_FIXED } from '../v8-flags.js';
import type { ValidateFunction } from './schema-files.js';

/**
 * The V8 flag validate runs with (services/validate.ts): V8 doubles the young generation up to 2 × 16 MB within the
 * first seconds of a long run of JSON.parse; at its initial size the peak RSS of a large capture is ~20 MB lower,
 * at the same CPU time. Here because V8 accepts a code cache only from a process with the same flags: the build
 * sets it too before it writes the caches.
 */
export const VALIDATE_V8_FLAG = YOUNG_GENERATION_FIXED;

/** Sets VALIDATE_V8_FLAG for this process (it is process-wide: the validate command and the build call this). */
export function useValidateV8Flags(): void {
  setV8Flags(VALIDATE_V8_FLAG); // refused: V8's defaults, and the validators compiled without their cache
}

export const CACHE_SUFFIX = '.cache';

function compile(path: string, cachedData: Buffer | undefined): { script: Script; validate: ValidateFunction } {
  // CommonJS's wrapper, as require() puts it around a module.
  const source = `(function (exports, require, module, __filename, __dirname) { ${readFileSync(path, 'utf8')}\n});`;
  const script = new Script(source, { filename: path, cachedData });
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  run.call(module.exports, module.exports, createRequire(path), module, path, dirname(path));
  const exported = module.exports as ValidateFunction & { default?: ValidateFunction };
  return { script, validate: exported.default ?? exported };
}

/** A generated validator module (CommonJS), compiled with its code cache when there is one. */
export function loadValidator(path: string): ValidateFunction {
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(`${path}${CACHE_SUFFIX}`);
  } catch {
    cachedData = undefined;
  }
  if (cachedData === undefined) {
    const exported = createRequire(path)(path) as ValidateFunction & { default?: ValidateFunction };
    return exported.default ?? exported;
  }
  return compile(path, cachedData).validate;
}

/** For the build: run the validator once (so that V8 compiles it) and write what V8 compiled beside it. */
export function writeValidatorCache(path: string): void {
  const { script, validate } = compile(path, undefined);
  validate({});
  writeFileSync(`${path}${CACHE_SUFFIX}`, script.createCachedData());
}
