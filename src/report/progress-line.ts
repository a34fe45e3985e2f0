import type { Writable } from 'node:stream';

/** A progress line on stderr, only on a terminal and only once a run has taken a while. */
export function progressLine(stderr: Writable & { isTTY?: boolean }, now: () => number): { update(checked: number, invalid: number): void; clear(): void } | undefined {
  if (!stderr.isTTY) return undefined;
  const startedAt = now();
  let lastDrawn = 0;
  let shown = false;
  return {
    update(checked, invalid) {
      const t = now();
      if (t - startedAt < 500 || t - lastDrawn < 200) return;
      lastDrawn = t;
      shown = true;
      stderr.write(`\r\x1b[Kvalidating… ${checked.toLocaleString('en-US')} events checked, ${invalid.toLocaleString('en-US')} invalid`);
    },
    clear() {
      if (shown) stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}
