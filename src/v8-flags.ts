// V8 flags a command sets for its own process once it has started (node:v8 setFlagsFromString), the one way every
// command does it. The flags used are the heap-sizing ones V8 reads at each collection, so they take effect at run
// time without starting node again. They are process-wide: only a command's run (never library code that a host
// program calls) sets them, before it reads anything.
import { createRequire } from 'node:module';

/** The young generation stays at its initial size (V8 otherwise doubles it to 2 × 16 MB within seconds of churn). */
export const YOUNG_GENERATION_FIXED = '--semi-space-growth-factor=1';

/** The old generation may grow to (100 + percent)% of what is live after a full collection (V8's default: up to 4×). */
export const oldGenerationGrowth = (percent: number): string => `--heap-growing-percent=${percent}`;

/** The flags set so far, in the order they were set (V8 accepts a code cache only under the flags it was made with). */
const set: string[] = [];

/** Sets each flag for this process; a runtime that refuses flags after start-up keeps V8's defaults. */
export function setV8Flags(...flags: string[]): void {
  // Required here, not imported: node:v8 loads node:stream with it (~2 ms), and modules that import this one are
  // part of commands (events) that never set a flag.
  const { setFlagsFromString } = createRequire(import.meta.url)('node:v8') as typeof import('node:v8');
  for (const flag of flags) {
    try {
      setFlagsFromString(flag);
      if (!set.includes(flag)) set.push(flag);
    } catch {
      // V8's defaults stay: only memory and speed differ.
    }
  }
}

/** The flags this process has set through setV8Flags. */
export function v8FlagsSet(): readonly string[] {
  return set;
}
