import type { Worker } from 'node:worker_threads';
import type { HttpDelivery } from '../protocol/http-request.js';
import type { PlannedDelivery } from './deliveries.js';

export interface EncoderSettings {
  url: string;
  userAgent: string;
  encryptKey: string;
}
export type EncodeBatch = Array<{ seq: number; json: string }>;
export type EncodedBatch = Array<{ seq: number; body: string; headers: Record<string, string> }>;

export interface BodyEncoder {
  /** The first attempt of a planned delivery, encrypted and signed ahead of time, if it is ready. */
  take(seq: number): HttpDelivery | undefined;
  close(): Promise<void>;
}

const BATCH = 256;
/** How far ahead of the deliveries the worker may run: keeps memory bounded and signature timestamps fresh. */
const LOOKAHEAD = 4096;

/**
 * Encrypt and sign the first push of every planned delivery in a worker thread, ahead of sending, so that the
 * main thread only sends. A delivery whose body is not ready yet is simply built where it is sent (take() gives
 * undefined); retries are always built fresh.
 */
export async function startBodyEncoder(plan: readonly PlannedDelivery[], settings: EncoderSettings): Promise<BodyEncoder> {
  const { Worker } = await import('node:worker_threads');
  const worker: Worker = new Worker(new URL('./body-encoder-worker.js', import.meta.url), { workerData: settings });
  const ready = new Map<number, HttpDelivery>();
  const taken = new Set<number>();
  let next = 0;
  let inFlight = 0;
  let consumed = 0;
  let closed = false;

  const feed = (): void => {
    while (!closed && next < plan.length && inFlight + ready.size < LOOKAHEAD && next - consumed < LOOKAHEAD) {
      const batch: EncodeBatch = [];
      for (const end = Math.min(plan.length, next + BATCH); next < end; next++) {
        const delivery = plan[next] as PlannedDelivery;
        if (!taken.has(delivery.seq)) batch.push({ seq: delivery.seq, json: JSON.stringify(delivery.envelope) });
      }
      if (batch.length === 0) continue;
      inFlight += batch.length;
      worker.postMessage(batch);
    }
  };
  worker.on('message', (batch: EncodedBatch) => {
    inFlight -= batch.length;
    for (const item of batch) {
      if (taken.delete(item.seq)) continue; // already built on the main thread
      ready.set(item.seq, { url: settings.url, method: 'POST', headers: item.headers, body: item.body });
    }
    feed();
  });
  // An encoder that fails only costs speed: every delivery is then built on the main thread.
  worker.on('error', () => {
    closed = true;
  });
  worker.unref();
  feed();

  return {
    take(seq) {
      consumed++;
      const delivery = ready.get(seq);
      if (delivery) ready.delete(seq);
      else taken.add(seq);
      feed();
      return delivery;
    },
    async close() {
      closed = true;
      await worker.terminate();
    },
  };
}
