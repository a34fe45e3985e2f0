import type { Writable } from 'node:stream';

/** Write to a stream, waiting for 'drain' when it is full, so a slow reader keeps memory flat. */
export function streamWriter(stream: Writable): { write(text: string): Promise<void>; dispose(): void } {
  let failure: Error | undefined;
  const onError = (error: Error): void => {
    failure = error;
  };
  stream.on('error', onError);
  return {
    write(text) {
      if (failure) return Promise.reject(failure);
      if (stream.write(text)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const done = (error?: Error): void => {
          stream.off('drain', done);
          stream.off('error', done);
          if (error) reject(error);
          else resolve();
        };
        stream.on('drain', done);
        stream.on('error', done);
      });
    },
    dispose() {
      stream.off('error', onError);
    },
  };
}
