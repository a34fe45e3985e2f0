import { createHash, hash, timingSafeEqual } from 'node:crypto';
import { systemRandom, type RandomSource } from './random.js';

export interface SignatureInput {
  /** `X-Lark-Request-Timestamp`: Unix seconds, as a string. */
  timestamp: string;
  /** `X-Lark-Request-Nonce`. */
  nonce: string;
  encryptKey: string;
  /** The raw request body, exactly the bytes on the wire. */
  body: string | Uint8Array;
}

/** `X-Lark-Signature`: lowercase hex SHA-256 of (timestamp + nonce + encrypt key) followed by the raw body bytes. */
export function sign({ timestamp, nonce, encryptKey, body }: SignatureInput): string {
  // One-shot hash of one string: a third cheaper than a Hash object for a body of an event's size.
  if (typeof body === 'string') return hash('sha256', timestamp + nonce + encryptKey + body, 'hex');
  return createHash('sha256').update(timestamp + nonce + encryptKey, 'utf8').update(body).digest('hex');
}

export function verify(input: SignatureInput & { signature: string }): boolean {
  const expected = Buffer.from(sign(input), 'utf8');
  const actual = Buffer.from(input.signature.toLowerCase(), 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A random nonce like the platform's (alphanumeric). */
export function makeNonce(length = 16, random: RandomSource = systemRandom): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = random(length);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += alphabet[(bytes[i] as number) % alphabet.length];
  return out;
}

export function unixSeconds(now: number = Date.now()): string {
  return String(Math.floor(now / 1000));
}

/** Header names as the platform sends them (node lower-cases them on arrival). */
export const SignatureHeaders = {
  timestamp: 'X-Lark-Request-Timestamp',
  nonce: 'X-Lark-Request-Nonce',
  signature: 'X-Lark-Signature',
} as const;

export interface LegacyCardSignatureInput {
  timestamp: string;
  nonce: string;
  /** The app's Verification Token (the legacy card action is signed with it, not with the Encrypt Key). */
  verificationToken: string;
  /** The raw request body. */
  body: string;
}

/**
 * `X-Lark-Signature` of a legacy card action (interactive message cards): lowercase hex SHA-1 of timestamp + nonce +
 * Verification Token + body, as node SDK 1.74.0's CardActionHandler checks it (RequestHandle.checkIsCardEventValidated,
 * over JSON.stringify of the parsed body: compact JSON is the same text).
 */
export function signLegacyCard({ timestamp, nonce, verificationToken, body }: LegacyCardSignatureInput): string {
  return createHash('sha1').update(timestamp + nonce + verificationToken + body, 'utf8').digest('hex');
}
