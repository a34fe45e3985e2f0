import type { Worker } from 'node:worker_threads';
import type { PrepareOptions } from '../protocol/envelope.js';
import type { PlannedDelivery } from './deliveries.js';

/** What the worker needs to prepare and encode an event as the main thread would. */
export interface EncoderSettings {
  url: string;
  userAgent: string;
  encryptKey: string;
  /** How events are prepared (without the clock and random source: each item brings its id and time). */
  prepare: Pick<PrepareOptions, 'keepIds' | 'verificationToken' | 'appId' | 'tenantKey' | 'overrides'>;
}

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
export interface EncodedBatch {
  id: number;
  bodies: string[];
  headers: Array<Record<string, string>>;
}

export interface BodyEncoder {
  /** Encrypt and sign the first push of each delivery (sets `prebuilt`); resolves without it if the worker failed. */
  encode(batch: readonly PlannedDelivery[]): Promise<void>;
  close(): Promise<void>;
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
    const { batch } = waiting;
    for (let i = 0; i < batch.length; i++) {
      (batch[i] as PlannedDelivery).prebuilt = { url: settings.url, method: 'POST', headers: answer.headers[i] as Record<string, string>, body: answer.bodies[i] as string };
    }
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
      const message: EncodeBatch = { id: nextId++, texts: [], ids: [], nows: [], prepare: new Uint8Array(batch.length) };
      for (let i = 0; i < batch.length; i++) {
        const delivery = batch[i] as PlannedDelivery;
        if (delivery.text !== undefined) {
          message.texts.push(delivery.text);
          message.prepare[i] = 1;
        } else message.texts.push(JSON.stringify(delivery.envelope));
        message.ids.push(delivery.eventId);
        message.nows.push(delivery.preparedAt ?? 0);
      }
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
