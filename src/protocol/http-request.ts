import { hash } from 'node:crypto';
import { encrypt, streamEncryptor } from './crypto.js';
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

function baseHeaders(options: { userAgent?: string | undefined }): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPE };
  if (options.userAgent) headers['user-agent'] = options.userAgent;
  return headers;
}

/** What signs a push: the values of its X-Lark-Request-Timestamp, X-Lark-Request-Nonce and X-Lark-Signature. */
export interface PushSignature {
  timestamp: string;
  nonce: string;
  signature: string;
}

/** The headers of a signed push, as buildDelivery sets them. */
export function signedHeaders(userAgent: string | undefined, signed: PushSignature): Record<string, string> {
  const headers = baseHeaders({ userAgent });
  headers[SignatureHeaders.timestamp] = signed.timestamp;
  headers[SignatureHeaders.nonce] = signed.nonce;
  headers[SignatureHeaders.signature] = signed.signature;
  return headers;
}

function signPush(body: string, encryptKey: string, now: number | undefined, nonce: string): PushSignature {
  const timestamp = unixSeconds(now);
  return { timestamp, nonce, signature: sign({ timestamp, nonce, encryptKey, body }) };
}

/** Encrypted bodies and what signs each: body i's headers are `signedHeaders` of the i-th values. */
export interface SignedBodies {
  bodies: string[];
  timestamps: string[];
  nonces: string[];
  signatures: string[];
}

const ENCRYPT_OPEN = '{"encrypt":"';
const ENCRYPT_CLOSE = '"}';

/**
 * Encrypt and sign compact JSON envelopes a batch at a time under one Encrypt Key, each with a fresh IV and nonce
 * from `random`: what buildDeliveryFromJson makes of each, at a fraction of its cost (one cipher for all of them; the
 * signed bytes written once into a reused buffer, the body made of them as one flat string).
 */
export function bodiesSigner(encryptKey: string, random: RandomSource): (plaintexts: readonly string[]) => SignedBodies {
  const encryptOne = streamEncryptor(encryptKey);
  /** The signed bytes of one push: timestamp + nonce + key, then the body. */
  let scratch = Buffer.allocUnsafe(16 * 1024);
  return (plaintexts) => {
    const out: SignedBodies = { bodies: [], timestamps: [], nonces: [], signatures: [] };
    for (const plaintext of plaintexts) {
      const encrypted = encryptOne(plaintext, random(16));
      const timestamp = unixSeconds();
      const nonce = makeNonce(16, random);
      const prefix = timestamp + nonce + encryptKey;
      const room = prefix.length * 3 + ENCRYPT_OPEN.length + encrypted.length + ENCRYPT_CLOSE.length;
      if (scratch.length < room) scratch = Buffer.allocUnsafe(room * 2);
      const bodyAt = scratch.write(prefix, 0, 'utf8');
      let at = bodyAt + scratch.write(ENCRYPT_OPEN, bodyAt, 'latin1');
      at += scratch.write(encrypted, at, 'latin1');
      at += scratch.write(ENCRYPT_CLOSE, at, 'latin1');
      out.bodies.push(scratch.toString('latin1', bodyAt, at));
      out.timestamps.push(timestamp);
      out.nonces.push(nonce);
      out.signatures.push(hash('sha256', scratch.subarray(0, at), 'hex'));
    }
    return out;
  };
}

/**
 * A push encrypted and signed ahead, as it is sent now: signed again with this second's timestamp when its own is
 * older (it waited in a queue behind a slow app), as the platform signs a push when it sends it. The same push
 * otherwise.
 */
export function signedNow(push: HttpDelivery, encryptKey: string, now: number = Date.now()): HttpDelivery {
  const timestamp = unixSeconds(now);
  if (push.headers[SignatureHeaders.timestamp] === timestamp) return push;
  const nonce = push.headers[SignatureHeaders.nonce] as string;
  const signature = sign({ timestamp, nonce, encryptKey, body: push.body });
  return { ...push, headers: { ...push.headers, [SignatureHeaders.timestamp]: timestamp, [SignatureHeaders.signature]: signature } };
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
  const headers = options.encryptKey
    ? signedHeaders(options.userAgent, signPush(body, options.encryptKey, options.now, options.nonce ?? makeNonce(16, options.random)))
    : baseHeaders(options);
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
