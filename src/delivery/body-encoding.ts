// Encrypting and signing first pushes from each event's text as read: what the encoding worker runs for a large
// replay, and what the main thread runs itself for a small one.
import { prepareEnvelope, preparesUnchanged, type Envelope, type PrepareOptions } from '../protocol/envelope.js';
import { spliceHeader } from '../protocol/header-splice.js';
import { bodiesSigner, signedHeaders, type SignedBodies } from '../protocol/http-request.js';
import { pooledRandom } from '../protocol/random.js';
import type { PlannedDelivery } from './deliveries.js';

/** What it takes to prepare and encode an event as the main thread planned it. */
export interface EncoderSettings {
  url: string;
  userAgent: string;
  encryptKey: string;
  /** How events are prepared (without the clock and random source: each item brings its id and time). */
  prepare: Pick<PrepareOptions, 'keepIds' | 'verificationToken' | 'appId' | 'tenantKey' | 'overrides'>;
}

/**
 * Encrypts and signs a batch of events: `texts[i]` is the event's text as read when `prepare[i]` is 1 (prepared here
 * with `eventIds[i]` and `nows[i]`, the id and time the main thread planned), else the prepared envelope's compact
 * JSON.
 */
export type BatchEncoder = (texts: readonly string[], prepare: Uint8Array, eventIds: readonly string[], nows: readonly number[]) => SignedBodies;

export function batchEncoder(settings: EncoderSettings): BatchEncoder {
  const signBodies = bodiesSigner(settings.encryptKey, pooledRandom());
  const unchanged = preparesUnchanged(settings.prepare);
  /** Without --set, a 2.0 event's changes are header strings: written into its text where they stand. */
  const spliceable = (settings.prepare.overrides ?? []).length === 0;

  /**
   * The event as planned (the same id, time, token and --set): its text as read when nothing changes it; the
   * header's strings replaced in the text when only they change; else parsed, prepared and re-serialised.
   */
  const plaintextOf = (text: string, eventId: string, now: number): string => {
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
  };

  return (texts, prepare, eventIds, nows) => {
    const plaintexts: string[] = [];
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i] as string;
      plaintexts.push(prepare[i] === 1 ? plaintextOf(text, eventIds[i] as string, nows[i] as number) : text);
    }
    return signBodies(plaintexts);
  };
}

/** What a batch for an encoder is made of: each delivery's text, whether to prepare it, its id and time. */
export function encoderInput(batch: readonly PlannedDelivery[]): { texts: string[]; prepare: Uint8Array; ids: string[]; nows: number[] } {
  const input = { texts: [] as string[], prepare: new Uint8Array(batch.length), ids: [] as string[], nows: [] as number[] };
  for (let i = 0; i < batch.length; i++) {
    const delivery = batch[i] as PlannedDelivery;
    if (delivery.text !== undefined) {
      input.texts.push(delivery.text);
      input.prepare[i] = 1;
    } else input.texts.push(JSON.stringify(delivery.envelope));
    input.ids.push(delivery.eventId);
    input.nows.push(delivery.preparedAt ?? 0);
  }
  return input;
}

/** Sets each delivery's first push from the signed bodies of its batch (in the same order). */
export function setPrebuilt(settings: EncoderSettings, batch: readonly PlannedDelivery[], signed: SignedBodies): void {
  for (let i = 0; i < batch.length; i++) {
    (batch[i] as PlannedDelivery).prebuilt = {
      url: settings.url,
      method: 'POST',
      headers: signedHeaders(settings.userAgent, { timestamp: signed.timestamps[i] as string, nonce: signed.nonces[i] as string, signature: signed.signatures[i] as string }),
      body: signed.bodies[i] as string,
    };
  }
}

/** Encrypts and signs batches of first pushes ahead of sending, and sets their `prebuilt`. */
export interface BodyEncoder {
  /** Encrypt and sign the first push of each delivery (sets `prebuilt`); resolves without it if the encoder failed. */
  encode(batch: readonly PlannedDelivery[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Encrypt and sign on this thread, a batch at a time, as the worker would: for a replay too small for a worker to
 * pay for starting it (a worker is an isolate of its own: tens of ms of CPU before it encodes anything).
 */
export function inThreadEncoder(settings: EncoderSettings, skip: (delivery: PlannedDelivery) => boolean = () => false): BodyEncoder {
  const encodeBatch = batchEncoder(settings);
  return {
    encode(deliveries) {
      const batch = deliveries.filter((d) => !skip(d));
      if (batch.length > 0) {
        const input = encoderInput(batch);
        setPrebuilt(settings, batch, encodeBatch(input.texts, input.prepare, input.ids, input.nows));
      }
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
