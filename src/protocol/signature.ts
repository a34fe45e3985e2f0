import { createHash, timingSafeEqual } from 'node:crypto';
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
  return createHash('sha256')
    .update(timestamp + nonce + encryptKey, 'utf8')
    .update(body as string, 'utf8')
    .digest('hex');
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
