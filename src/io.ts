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

/**
 * The process's own streams. `stdin` is read only when asked for: node sets process.stdin up on first use, which
 * costs some 4 ms of every start-up, and most runs never read it (a getter: copy the object with `withIO`, not `...`).
 */
export function processIO(): CommandIO {
  return withIO({ stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }, () => process.stdin);
}

/** A CommandIO whose stdin is `stdin()`, called when first read (then kept). */
export function withIO(io: Omit<CommandIO, 'stdin'>, stdin: () => Readable): CommandIO {
  let stream: Readable | undefined;
  return {
    get stdin() {
      stream ??= stdin();
      return stream;
    },
    stdout: io.stdout,
    stderr: io.stderr,
    env: io.env,
    cwd: io.cwd,
  };
}
