// Worker thread of body-encoder.ts: encrypts and signs batches of envelopes (compact JSON) off the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { buildDeliveryFromJson } from '../protocol/http-request.js';
import { pooledRandom } from '../protocol/random.js';
import type { EncodeBatch, EncodedBatch, EncoderSettings } from './body-encoder.js';

const settings = workerData as EncoderSettings;
const random = pooledRandom();
parentPort?.on('message', (batch: EncodeBatch) => {
  const out: EncodedBatch = batch.map(({ seq, json }) => {
    const { body, headers } = buildDeliveryFromJson(json, { url: settings.url, userAgent: settings.userAgent, encryptKey: settings.encryptKey, random });
    return { seq, body, headers };
  });
  parentPort?.postMessage(out);
});
