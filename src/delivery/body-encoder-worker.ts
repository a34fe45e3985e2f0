// Worker thread of body-encoder.ts: prepares (from the text as read), encrypts and signs batches of first pushes.
import { parentPort, workerData } from 'node:worker_threads';
import type { EncodeBatch, EncodedBatch } from './body-encoder.js';
import { batchEncoder, type EncoderSettings } from './body-encoding.js';

const encodeBatch = batchEncoder(workerData as EncoderSettings);

parentPort?.on('message', (batch: EncodeBatch) => {
  const out: EncodedBatch = { id: batch.id, ...encodeBatch(batch.texts, batch.prepare, batch.ids, batch.nows) };
  parentPort?.postMessage(out);
});
