import type { Writable } from 'node:stream';

/** The one way output reaches stdout: small writes gathered, and nothing handed to a full stream before 'drain'. */
export interface StreamWriter {
  /**
   * Queue `text`. It reaches the stream once per turn of the event loop (or `gatherMs` after the first text queued;
   * or every `maxChars`), and never while the stream is full. Resolves once the text was handed over and the stream
   * has room again; rejects if the stream failed. Reporters that write many small pieces may ignore it and wait on `ready()` between units of work.
   */
  write(text: string): Promise<void>;
  /** Resolves when nothing is waiting for the stream to drain (at once when it is not full). */
  ready(): Promise<void>;
  /** Hand over everything queued and wait until the stream took it (a failed stream is left to `ready()` to report). */
  flush(): Promise<void>;
  /** Stop listening to the stream. */
  dispose(): void;
}

/**
 * Writes to a pipe are synchronous system calls on Linux: one per result line is measurable at thousands a second,
 * so writes are gathered. `gatherMs` gathers for that long instead of one turn of the event loop, for a writer of
 * thousands of lines a second (each write wakes the reader: a turn of the loop holds only a few lines). A slow
 * reader keeps memory flat only if the writer's callers wait: `write` and `ready` resolve after 'drain' when the
 * stream said it was full.
 */
export function streamWriter(stream: Writable, maxChars = 64 * 1024, gatherMs = 0): StreamWriter {
  let buffer = '';
  let failure: Error | undefined;
  let full: Promise<void> | undefined;
  let turn: Promise<void> | undefined;
  /** Ends the current turn (and its wait, when gathering) at once. */
  let endTurn: (() => void) | undefined;
  let gathering: NodeJS.Timeout | undefined;
  const onError = (error: Error): void => {
    failure = error;
  };
  stream.on('error', onError);

  const waitForDrain = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const done = (error?: Error): void => {
        stream.off('drain', done);
        stream.off('error', done);
        stream.off('close', closed);
        full = undefined;
        if (error) return reject(error);
        resolve();
        handOver();
      };
      const closed = (): void => done(failure ?? stream.errored ?? new Error('the output was closed before it took everything'));
      stream.on('drain', done);
      stream.on('error', done);
      stream.on('close', closed);
    });

  /** Give the stream what is queued, unless it is full (then 'drain' hands it over). */
  const handOver = (): void => {
    if (buffer === '' || full !== undefined || failure !== undefined) return;
    if (stream.destroyed || stream.writableEnded) {
      // A stream that is gone never drains: what is left cannot be written.
      failure = stream.errored ?? new Error('write after the output was closed');
      buffer = '';
      return;
    }
    const text = buffer;
    buffer = '';
    const fits = stream.write(text, (error) => {
      if (error) failure ??= error;
    });
    if (!fits) full = quiet(waitForDrain());
  };

  const ready = (): Promise<void> => {
    if (failure) return quiet(Promise.reject(failure));
    return full ?? Promise.resolve();
  };

  return {
    write(text) {
      if (failure) return quiet(Promise.reject(failure));
      buffer += text;
      if (buffer.length >= maxChars) {
        handOver();
        return ready();
      }
      turn ??= new Promise<void>((resolve) => {
        let ended = false;
        const handOverNow = (): void => {
          if (ended) return;
          ended = true;
          clearTimeout(gathering);
          gathering = undefined;
          endTurn = undefined;
          turn = undefined;
          handOver();
          resolve();
        };
        endTurn = handOverNow;
        if (gatherMs > 0) gathering = setTimeout(handOverNow, gatherMs);
        else setImmediate(handOverNow);
      });
      return quiet(turn.then(ready));
    },
    ready,
    async flush() {
      endTurn?.();
      while (buffer !== '' && failure === undefined) {
        handOver();
        if (full) await full.catch(() => {});
      }
      await new Promise<void>((resolve) => {
        // An empty write calls back once everything before it is flushed.
        if (stream.writableEnded || stream.destroyed) resolve();
        else
          stream.write('', (error) => {
            if (error) failure ??= error;
            resolve();
          });
      });
    },
    dispose() {
      stream.off('error', onError);
    },
  };
}

/** A promise a caller may ignore without an unhandled rejection; one that awaits it still sees the error. */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/** Write once and wait until the stream took it, so that exit never cuts output short. */
export async function writeOut(stream: Writable, text: string): Promise<void> {
  const out = streamWriter(stream);
  try {
    await out.write(text);
    await out.flush();
    // A write that failed (a closed pipe, a full disk) is the caller's error.
    await out.ready();
  } finally {
    out.dispose();
  }
}
