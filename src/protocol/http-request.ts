import { encrypt } from './crypto.js';
import { makeNonce, sign, signLegacyCard, SignatureHeaders, unixSeconds } from './signature.js';
import type { RandomSource } from './random.js';
import type { UrlVerification } from './challenge.js';

/** One HTTP push, ready to send: exactly what goes on the wire. */
export interface HttpDelivery {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  /** The raw body. Compact JSON, as `JSON.stringify` writes it (the node SDK re-serialises before hashing). */
  body: string;
}

export interface BuildDeliveryOptions {
  /** Where to POST. */
  url: string;
  /** The app's Encrypt Key: the body is encrypted and the X-Lark-* signature headers are added. */
  encryptKey?: string;
  /** Value of the user-agent header. */
  userAgent?: string;
  /** Clock (ms) and nonce, for reproducible output in tests. */
  now?: number;
  nonce?: string;
  /** Fixed IV (16 bytes) for reproducible ciphertext in tests. */
  iv?: Uint8Array;
  /** Where IVs and nonces come from (default: a system call each). */
  random?: RandomSource;
}

const CONTENT_TYPE = 'application/json; charset=utf-8';

function encodeBody(payload: unknown, encryptKey: string | undefined, iv: Uint8Array | undefined): string {
  return encodeJsonBody(JSON.stringify(payload), encryptKey, iv);
}

function encodeJsonBody(plaintext: string, encryptKey: string | undefined, iv: Uint8Array | undefined): string {
  if (!encryptKey) return plaintext;
  // Base64 needs no JSON escaping: this is exactly JSON.stringify({ encrypt }), without its cost.
  return `{"encrypt":"${encrypt(plaintext, encryptKey, iv)}"}`;
}

function baseHeaders(options: BuildDeliveryOptions): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPE };
  if (options.userAgent) headers['user-agent'] = options.userAgent;
  return headers;
}

/**
 * Build an event push the way the platform does: compact JSON envelope, wrapped as `{"encrypt": …}` and
 * signed with `X-Lark-Request-Timestamp`, `X-Lark-Request-Nonce` and `X-Lark-Signature` when an Encrypt Key
 * is given; the plain envelope otherwise.
 */
export function buildDelivery(envelope: unknown, options: BuildDeliveryOptions): HttpDelivery {
  return buildDeliveryFromJson(JSON.stringify(envelope), options);
}

/** buildDelivery for an envelope that is already compact JSON text. */
export function buildDeliveryFromJson(plaintext: string, options: BuildDeliveryOptions): HttpDelivery {
  const body = encodeJsonBody(plaintext, options.encryptKey, options.iv ?? options.random?.(16));
  const headers = baseHeaders(options);
  if (options.encryptKey) {
    const timestamp = unixSeconds(options.now);
    const nonce = options.nonce ?? makeNonce(16, options.random);
    headers[SignatureHeaders.timestamp] = timestamp;
    headers[SignatureHeaders.nonce] = nonce;
    headers[SignatureHeaders.signature] = sign({ timestamp, nonce, encryptKey: options.encryptKey, body });
  }
  return { url: options.url, method: 'POST', headers, body };
}

/** The url_verification request: encrypted when a key is given, and never signed (the platform does not sign it). */
export function buildChallengeDelivery(challenge: UrlVerification, options: BuildDeliveryOptions): HttpDelivery {
  return { url: options.url, method: 'POST', headers: baseHeaders(options), body: encodeBody(challenge, options.encryptKey, options.iv) };
}

/**
 * A legacy card action (interactive message cards) as the platform posts it to the card request URL: the plain body
 * (never encrypted), signed with SHA-1 over timestamp + nonce + Verification Token + body. Without a token the
 * signature is made with an empty one (an app without a token does not check it).
 */
export function buildLegacyCardDelivery(action: unknown, options: BuildDeliveryOptions & { verificationToken?: string }): HttpDelivery {
  const body = JSON.stringify(action);
  const headers = baseHeaders(options);
  const timestamp = unixSeconds(options.now);
  const nonce = options.nonce ?? makeNonce(16, options.random);
  headers[SignatureHeaders.timestamp] = timestamp;
  headers[SignatureHeaders.nonce] = nonce;
  headers[SignatureHeaders.signature] = signLegacyCard({ timestamp, nonce, verificationToken: options.verificationToken ?? '', body });
  return { url: options.url, method: 'POST', headers, body };
}
