// Worker thread of body-encoder.ts: prepares (from the text as read), encrypts and signs batches of first pushes.
import { parentPort, workerData } from 'node:worker_threads';
import { prepareEnvelope, preparesUnchanged, type Envelope } from '../protocol/envelope.js';
import { buildDeliveryFromJson } from '../protocol/http-request.js';
import { pooledRandom } from '../protocol/random.js';
import type { EncodeBatch, EncodedBatch, EncoderSettings } from './body-encoder.js';

const settings = workerData as EncoderSettings;
const random = pooledRandom();
const unchanged = preparesUnchanged(settings.prepare);
const build = { url: settings.url, userAgent: settings.userAgent, encryptKey: settings.encryptKey, random };

/** The compact JSON the main thread would have made of the prepared event (the same id, time, token and --set). */
function plaintextOf(text: string, eventId: string, now: number): string {
  if (unchanged) return text;
  return JSON.stringify(prepareEnvelope(JSON.parse(text) as Envelope, { ...settings.prepare, eventId, now }));
}

parentPort?.on('message', (batch: EncodeBatch) => {
  const out: EncodedBatch = { id: batch.id, bodies: [], headers: [] };
  for (let i = 0; i < batch.texts.length; i++) {
    const text = batch.texts[i] as string;
    const plaintext = batch.prepare[i] === 1 ? plaintextOf(text, batch.ids[i] as string, batch.nows[i] as number) : text;
    const { body, headers } = buildDeliveryFromJson(plaintext, build);
    out.bodies.push(body);
    out.headers.push(headers);
  }
  parentPort?.postMessage(out);
});
