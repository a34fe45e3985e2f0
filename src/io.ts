import { EventEmitter } from 'node:events';
import { fstatSync, statSync, writeSync } from 'node:fs';
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
 * The process's own streams, each set up when first used: node's process.stdin costs some 4 ms of a start-up and most
 * runs never read it; process.stdout on a pipe (a net.Socket, with node:stream and node:net loaded for it) ~3 ms, and
 * process.stderr on a file or /dev/null ~1.5 ms. With `direct` (commands that finish on their own), output that goes
 * to a pipe, a socket, a file or /dev/null is written with plain write(2) calls instead (`directOutput`); a terminal
 * always gets node's stream. Copy the object with `withIO`, not `...`: its members are getters.
 */
export function processIO(direct = false): CommandIO {
  let stdout: CommandIO['stdout'] | undefined;
  let stderr: CommandIO['stderr'] | undefined;
  return withIO(
    {
      get stdout() {
        stdout ??= (direct ? directOutput(1, () => process.stdout) : undefined) ?? process.stdout;
        return stdout;
      },
      get stderr() {
        stderr ??= (direct ? directOutput(2, () => process.stderr) : undefined) ?? process.stderr;
        return stderr;
      },
      env: process.env,
      cwd: process.cwd(),
    },
    () => process.stdin,
  );
}

/** A CommandIO whose stdin is `stdin()`, called when first read (then kept); stdout and stderr are read when used. */
export function withIO(io: Omit<CommandIO, 'stdin'>, stdin: () => Readable): CommandIO {
  let stream: Readable | undefined;
  return {
    get stdin() {
      stream ??= stdin();
      return stream;
    },
    get stdout() {
      return io.stdout;
    },
    get stderr() {
      return io.stderr;
    },
    env: io.env,
    cwd: io.cwd,
  };
}

/** What directOutput writes at most before it hands the descriptor to node's stream: a batch's output stays cheap. */
const DIRECT_LIMIT = 1 << 20;

let devNull: number | bigint | undefined | null;

/**
 * A writable for file descriptor `fd` (1 or 2) that writes each chunk at once with write(2), as node's own stdout does
 * for files and (on Linux) pipes, but without node:stream and node:net: undefined (use node's stream) for a
 * terminal, another character device than /dev/null, or on Windows. A descriptor that would block (EAGAIN: a
 * non-blocking pipe that is full), or past the first MB, hands its output to `stream()` from then on, which waits
 * for the reader ('drain') as usual. A failed write (EPIPE, ENOSPC) fails it as it fails a stream: the write's
 * callback, then 'error' and 'close'; `destroyed` and `errored` say so.
 */
export function directOutput(fd: number, stream: () => Writable): CommandIO['stdout'] | undefined {
  if (process.platform === 'win32') return undefined;
  try {
    const stat = fstatSync(fd);
    if (stat.isCharacterDevice()) {
      if (devNull === undefined) devNull = statSync('/dev/null', { throwIfNoEntry: false })?.rdev ?? null;
      if (stat.rdev !== devNull) return undefined;
    } else if (!stat.isFIFO() && !stat.isFile() && !stat.isSocket()) return undefined;
  } catch {
    return undefined;
  }
  return new DirectOutput(fd, stream) as unknown as CommandIO['stdout'];
}

/** Is this stream one of directOutput's (never a terminal)? */
export function isDirectOutput(stream: unknown): boolean {
  return stream instanceof DirectOutput;
}

type Callback = (error?: Error | null) => void;

class DirectOutput extends EventEmitter {
  readonly fd: number;
  #stream: () => Writable;
  #handedOver: Writable | undefined;
  #written = 0;
  #errored: Error | null = null;

  constructor(fd: number, stream: () => Writable) {
    super();
    this.fd = fd;
    this.#stream = stream;
  }

  get writable(): boolean {
    return this.#handedOver ? this.#handedOver.writable : this.#errored === null;
  }
  get destroyed(): boolean {
    return this.#handedOver ? this.#handedOver.destroyed : this.#errored !== null;
  }
  get errored(): Error | null {
    return this.#handedOver ? this.#handedOver.errored : this.#errored;
  }
  get writableEnded(): boolean {
    return this.#handedOver ? this.#handedOver.writableEnded : false;
  }
  get writableNeedDrain(): boolean {
    return this.#handedOver ? this.#handedOver.writableNeedDrain : false;
  }

  write(chunk: string | Uint8Array, encoding?: BufferEncoding | Callback, callback?: Callback): boolean {
    const cb = typeof encoding === 'function' ? encoding : callback;
    const enc = typeof encoding === 'string' ? encoding : 'utf8';
    if (this.#handedOver) return this.#handedOver.write(chunk, enc, cb);
    if (this.#errored !== null) {
      const error = this.#errored;
      if (cb) process.nextTick(cb, error);
      return false;
    }
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, enc) : chunk;
    let offset = 0;
    try {
      while (offset < bytes.length && this.#written < DIRECT_LIMIT) {
        const n = writeSync(this.fd, bytes, offset, Math.min(bytes.length - offset, DIRECT_LIMIT - this.#written));
        offset += n;
        this.#written += n;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return this.#fail(error as Error, cb);
    }
    if (offset < bytes.length) return this.#handOver().write(bytes.subarray(offset), cb);
    if (cb) process.nextTick(cb, null);
    return true;
  }

  end(chunk?: string | Uint8Array | Callback, callback?: Callback): this {
    const cb = typeof chunk === 'function' ? chunk : callback;
    if (chunk !== undefined && typeof chunk !== 'function') this.write(chunk);
    this.#handOver().end(cb);
    return this;
  }

  /** From now on node's stream takes everything, and what it emits is emitted here too. */
  #handOver(): Writable {
    if (this.#handedOver) return this.#handedOver;
    const stream = this.#stream();
    this.#handedOver = stream;
    for (const event of ['drain', 'error', 'close', 'finish']) stream.on(event, (...args: unknown[]) => this.emit(event, ...args));
    return stream;
  }

  #fail(error: Error, cb: Callback | undefined): false {
    this.#errored = error;
    process.nextTick(() => {
      cb?.(error);
      this.emit('error', error);
      this.emit('close');
    });
    return false;
  }
}
