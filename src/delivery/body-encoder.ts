import type { Worker } from 'node:worker_threads';
import type { SignedBodies } from '../protocol/http-request.js';
import { encoderInput, setPrebuilt, type BodyEncoder, type EncoderSettings } from './body-encoding.js';
import type { PlannedDelivery } from './deliveries.js';

export type { BodyEncoder, EncoderSettings } from './body-encoding.js';

/**
 * A batch for the worker. `texts[i]` is the event's text as read when `prepare[i]` is 1 (the worker prepares it
 * with `ids[i]` and `nows[i]`, or sends it as it is when preparing changes nothing), else the prepared envelope's
 * compact JSON.
 */
export interface EncodeBatch {
  id: number;
  texts: string[];
  ids: string[];
  nows: number[];
  prepare: Uint8Array;
}
/** The encrypted bodies and their signatures (flat arrays of strings: cheaper to pass than an object a delivery). */
export interface EncodedBatch extends SignedBodies {
  id: number;
}

/**
 * Encrypt and sign first pushes in a worker thread, ahead of sending, so that the main thread only sends. An event
 * read as text goes to the worker as that text: it is not re-serialised on the main thread (the worker prepares it
 * the same way, with the same id and time). A delivery left without a body (the worker failed) is built where it is
 * sent; retries are always built fresh.
 */
export async function startBodyEncoder(settings: EncoderSettings, skip: (delivery: PlannedDelivery) => boolean = () => false): Promise<BodyEncoder> {
  const { Worker } = await import('node:worker_threads');
  // What the worker holds lives a batch long: a young generation of 2 MB (the default is 48) saves ~10 MB of RSS.
  const worker: Worker = new Worker(new URL('./body-encoder-worker.js', import.meta.url), { workerData: settings, resourceLimits: { maxYoungGenerationSizeMb: 2 } });
  const pending = new Map<number, { batch: PlannedDelivery[]; resolve: () => void }>();
  let nextId = 0;
  let closed = false;
  const release = (): void => {
    for (const { resolve } of pending.values()) resolve();
    pending.clear();
  };

  worker.on('message', (answer: EncodedBatch) => {
    const waiting = pending.get(answer.id);
    if (!waiting) return;
    pending.delete(answer.id);
    if (pending.size === 0) worker.unref();
    setPrebuilt(settings, waiting.batch, answer);
    waiting.resolve();
  });
  // An encoder that fails only costs speed: every delivery is then built on the main thread.
  worker.on('error', () => {
    closed = true;
    release();
  });
  worker.unref();

  return {
    encode(deliveries) {
      if (closed) return Promise.resolve();
      const batch = deliveries.filter((d) => !skip(d));
      if (batch.length === 0) return Promise.resolve();
      const message: EncodeBatch = { id: nextId++, ...encoderInput(batch) };
      return new Promise<void>((resolve) => {
        // Referenced while it owes answers: the run waits for them.
        if (pending.size === 0) worker.ref();
        pending.set(message.id, { batch, resolve });
        worker.postMessage(message);
      });
    },
    async close() {
      closed = true;
      release();
      await worker.terminate();
    },
  };
}
