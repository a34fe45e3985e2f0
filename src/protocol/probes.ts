// Deliveries an app must not accept, built from a valid one: for the control delivery of replay and the probes of
// replay --contract. Pure: no I/O.
import { isEnvelopeV1, isEnvelopeV2, type Envelope } from './envelope-fields.js';
import { buildDelivery, type BuildDeliveryOptions, type HttpDelivery } from './http-request.js';
import { newEventId, withPath } from './envelope.js';
import { makeNonce, sign, SignatureHeaders, unixSeconds } from './signature.js';
import type { RandomSource } from './random.js';
import { systemRandom } from './random.js';

/** An event type no app subscribes to: the control delivery of a plaintext replay carries it. */
export const CONTROL_EVENT_TYPE = 'feishu_events.control_v1';

/** A key that is certainly not the app's. */
export function wrongKey(random: RandomSource = systemRandom): string {
  return `wrong-${Buffer.from(random(12)).toString('hex')}`;
}

/** The envelope with another event type (2.0: header.event_type; 1.0: event.type) and a fresh id. */
export function withEventType(envelope: Envelope, eventType: string, random: RandomSource = systemRandom): Envelope {
  if (isEnvelopeV2(envelope)) {
    return withPath(withPath(envelope as Record<string, unknown>, ['header', 'event_type'], eventType), ['header', 'event_id'], newEventId(random)) as Envelope;
  }
  if (isEnvelopeV1(envelope)) return withPath(withPath(envelope as Record<string, unknown>, ['event', 'type'], eventType), ['uuid'], newEventId(random)) as Envelope;
  return envelope;
}

/** Replace the body's signature with one made with another key (the timestamp and nonce stay). */
export function signedWith(delivery: HttpDelivery, key: string): HttpDelivery {
  const timestamp = delivery.headers[SignatureHeaders.timestamp] ?? unixSeconds();
  const nonce = delivery.headers[SignatureHeaders.nonce] ?? makeNonce();
  return {
    ...delivery,
    headers: { ...delivery.headers, [SignatureHeaders.timestamp]: timestamp, [SignatureHeaders.nonce]: nonce, [SignatureHeaders.signature]: sign({ timestamp, nonce, encryptKey: key, body: delivery.body }) },
  };
}

/** The delivery without its three X-Lark-* signature headers. */
export function unsigned(delivery: HttpDelivery): HttpDelivery {
  const headers = { ...delivery.headers };
  delete headers[SignatureHeaders.timestamp];
  delete headers[SignatureHeaders.nonce];
  delete headers[SignatureHeaders.signature];
  return { ...delivery, headers };
}

/** Encrypted and signed with a key that is not the app's (self-consistent: only the key is wrong). */
export function withWrongKey(envelope: Envelope, options: BuildDeliveryOptions, random: RandomSource = systemRandom): HttpDelivery {
  return buildDelivery(envelope, { ...options, encryptKey: wrongKey(random) });
}

/**
 * The first byte of the encrypt field flipped (it is the IV's, so exactly the first plaintext byte changes and the
 * JSON no longer parses; the padding stays valid), then signed correctly over the new body: only the decrypted
 * content can reveal it.
 */
export function withTamperedCiphertext(envelope: Envelope, options: BuildDeliveryOptions & { encryptKey: string }): HttpDelivery {
  const valid = buildDelivery(envelope, options);
  const encrypted = (JSON.parse(valid.body) as { encrypt: string }).encrypt;
  const raw = Buffer.from(encrypted, 'base64');
  raw[0] = (raw[0] as number) ^ 0x5a;
  const body = `{"encrypt":"${raw.toString('base64')}"}`;
  return signedWith({ ...valid, body }, options.encryptKey);
}

/** Signed now minus `ageSeconds` (the signature is valid for that timestamp). */
export function withTimestampAge(envelope: Envelope, ageSeconds: number, options: BuildDeliveryOptions & { encryptKey: string }): HttpDelivery {
  return buildDelivery(envelope, { ...options, now: (options.now ?? Date.now()) - ageSeconds * 1000 });
}
