import type { Writable } from 'node:stream';

export interface BufferedWriter {
  write(text: string): void;
  /** Write out what is buffered and wait until the stream took it. */
  flush(): Promise<void>;
}

/**
 * Collect small writes and hand them to the stream once per turn of the event loop (or every `maxChars`):
 * writes to a pipe are synchronous system calls on Linux, one per result line is measurable at thousands a second.
 */
export function bufferedWriter(stream: Writable, maxChars = 64 * 1024): BufferedWriter {
  let buffer = '';
  let scheduled = false;
  const drain = (): void => {
    scheduled = false;
    if (buffer === '') return;
    const text = buffer;
    buffer = '';
    stream.write(text);
  };
  return {
    write(text) {
      buffer += text;
      if (buffer.length >= maxChars) drain();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(drain);
      }
    },
    flush() {
      drain();
      return new Promise((resolve) => {
        // An empty write calls back once everything before it is flushed.
        stream.write('', () => resolve());
      });
    },
  };
}
