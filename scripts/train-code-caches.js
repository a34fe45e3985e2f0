#!/usr/bin/env node
// V8's code caches of the light commands' entries, made again after their plain invocations ran
// (scripts/code-cache.cjs): a cache made right after compiling holds the top level only; one made after a run also
// holds every function that run compiled (~1.5–2.5 ms of `events`, `replay --list` or `--help` on a 2-core VM).
// bundle.js trains the entries that need nothing else; build.js trains validate's once the precompiled validators are
// written too (scripts/build-validators.js runs beside the bundle): trained without them, validate's cache held the
// code of compiling the schemas with Ajv instead of the quick checks a plain run uses.
// Usage: node scripts/train-code-caches.js <entry>…   (entries: the keys of TRAINING; none: every one)
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'dist', 'bundle');

/**
 * The plain invocations each light command's entry runs before its code cache is written: what `npm run bench:startup`
 * measures, and help. Only commands that read nothing of the user's and reach no network.
 */
const SAMPLE = join(root, 'samples', 'im.message.receive_v1', 'doc.json');
export const TRAINING = {
  cli: [['--version'], ['--help'], ['tail', '--help'], ['replay', '--help'], ['help', 'validate']],
  'command-events': [['events'], ['events', 'im.message.receive_v1']],
  'command-replay': [['replay', '--list']],
  'command-validate': [['validate', SAMPLE]],
};
/** The entries whose plain invocation reads the precompiled validators (dist/src/validators/). */
export const NEEDS_VALIDATORS = ['command-validate'];
/** V8's defaults of the flags a command sets while it runs (src/v8-flags.ts: validate's), put back before the cache is written. */
const V8_DEFAULTS = ['--semi-space-growth-factor=2'];

/**
 * Trains each entry in a child process of its own, side by side. Resolves to the entries trained; a failure keeps
 * the entry's top-level cache (bundle.js wrote it) and is said.
 */
export async function train(entries) {
  const done = await Promise.all(
    entries.map(async (entry) => {
      const invocations = TRAINING[entry];
      if (invocations === undefined) throw new Error(`train-code-caches: no entry ${entry} (${Object.keys(TRAINING).join(', ')})`);
      const env = { ...process.env, NO_COLOR: '1' };
      // The cache must be made with node's own V8 flags, as the bin runs: none from NODE_OPTIONS.
      delete env.NODE_OPTIONS;
      try {
        const { stderr } = await execFileAsync(process.execPath, [join(root, 'scripts', 'code-cache.cjs'), join(outdir, `${entry}.cjs`), JSON.stringify(invocations), ...V8_DEFAULTS], { env, cwd: root });
        // validate's plain run writes nothing to stderr: a warning there (validators missing) means it took another path.
        if (NEEDS_VALIDATORS.includes(entry) && stderr.trim() !== '') console.warn(`train-code-caches: ${entry}.cjs was trained on a run that warned: ${stderr.trim()}`);
        return entry;
      } catch (error) {
        console.warn(`train-code-caches: ${entry}.cjs keeps the code cache of its top level only: ${String(error.stderr || error.message).trim()}`);
        return undefined;
      }
    }),
  );
  return done.filter(Boolean);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const asked = process.argv.slice(2);
  const trained = await train(asked.length > 0 ? asked : Object.keys(TRAINING));
  console.log(`train-code-caches: ${trained.join(', ') || 'none'} trained`);
}
