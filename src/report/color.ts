import type { ChalkInstance } from 'chalk';
import type { Env } from '../config.js';

/** Colour only on a terminal, and never when NO_COLOR is set; FORCE_COLOR forces it. */
export function colorLevel(stream: { isTTY?: boolean }, env: Env): 0 | 1 | 2 | 3 {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force === '0' || force === 'false' ? 0 : 1;
  return stream.isTTY ? 1 : 0;
}

export async function makeChalk(level: 0 | 1 | 2 | 3): Promise<ChalkInstance> {
  const { Chalk } = await import('chalk');
  return new Chalk({ level });
}
