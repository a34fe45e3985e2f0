// Two imports of ink 6.8 that cost tail's terminal UI at every start (and every test that renders it), each replaced
// by one that loads the same module object:
// - build/ink.js takes one function, `throttle`, from es-toolkit's compat barrel (`es-toolkit/compat`): node loads and
//   links the barrel's ~300 modules. `es-toolkit/compat/throttle` is that function's module alone (the barrel
//   re-exports it). ~0.1 s of CPU.
// - build/reconciler.js imports react-reconciler, a CommonJS package, with `import`: node first scans it for named
//   exports, and both of its builds (development 750 KB, production 400 KB: the scanner follows both branches of its
//   index.js). require() gives the same module.exports without the scan. ~0.08 s of CPU.
// Applied to ink's files on disk by scripts/patch-ink.js (postinstall and build); a file left as it is costs only the
// time. No imports: the install script loads this module.

export type InkStartupFile = 'ink.js' | 'reconciler.js';

/** What each file's import becomes. */
export const INK_STARTUP_PATCHES: Record<InkStartupFile, { from: string; to: string }> = {
  'ink.js': {
    from: "import { throttle } from 'es-toolkit/compat';",
    to: "import throttle from 'es-toolkit/compat/throttle'; /* feishu-events: not the whole compat barrel */",
  },
  'reconciler.js': {
    from: "import createReconciler from 'react-reconciler';",
    to: "import { createRequire as feishuEventsCreateRequire } from 'node:module'; const createReconciler = feishuEventsCreateRequire(import.meta.url)('react-reconciler'); /* feishu-events: require, not a scan of CommonJS for named exports */",
  },
};

/** The patched source; the source itself when already patched; undefined when it is not the code the patch knows. */
export function patchInkStartup(file: InkStartupFile, source: string): string | undefined {
  const { from, to } = INK_STARTUP_PATCHES[file];
  if (source.includes(to)) return source;
  if (source.split(from).length !== 2) return undefined;
  return source.replace(from, to);
}
