// Worker thread of body-encoder.ts: prepares (from the text as read), encrypts and signs batches of first pushes.
import { parentPort, workerData } from 'node:worker_threads';
import { prepareEnvelope, preparesUnchanged, type Envelope } from '../protocol/envelope.js';
import { spliceHeader } from '../protocol/header-splice.js';
import { buildDeliveryFromJson } from '../protocol/http-request.js';
import { pooledRandom } from '../protocol/random.js';
import type { EncodeBatch, EncodedBatch, EncoderSettings } from './body-encoder.js';

const settings = workerData as EncoderSettings;
const random = pooledRandom();
const unchanged = preparesUnchanged(settings.prepare);
const build = { url: settings.url, userAgent: settings.userAgent, encryptKey: settings.encryptKey, random };

/** Without --set, a 2.0 event's changes are header strings: written into its text where they stand. */
const spliceable = (settings.prepare.overrides ?? []).length === 0;

/**
 * The event as the main thread planned it (the same id, time, token and --set): its text as read when nothing changes
 * it; the header's strings replaced in the text when only they change; else parsed, prepared and re-serialised.
 */
function plaintextOf(text: string, eventId: string, now: number): string {
  if (unchanged) return text;
  if (spliceable) {
    const values: Record<string, string> = {};
    if (!settings.prepare.keepIds) {
      values.event_id = eventId;
      values.create_time = String(now);
    }
    if (settings.prepare.verificationToken !== undefined) values.token = settings.prepare.verificationToken;
    if (settings.prepare.appId !== undefined) values.app_id = settings.prepare.appId;
    if (settings.prepare.tenantKey !== undefined) values.tenant_key = settings.prepare.tenantKey;
    const spliced = spliceHeader(text, values);
    if (spliced !== undefined) return spliced;
  }
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
