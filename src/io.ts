import type { Readable, Writable } from 'node:stream';
import type { Env } from './config.js';

/** What a command may touch of the outside world, passed in so that commands stay testable. */
export interface CommandIO {
  stdin: Readable;
  stdout: Writable & { isTTY?: boolean; columns?: number; rows?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  env: Env;
  cwd: string;
}

export function processIO(): CommandIO {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
