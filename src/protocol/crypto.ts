import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** The AES-256 key the platform derives from an app's Encrypt Key: SHA-256 of its UTF-8 bytes. */
export function deriveKey(encryptKey: string): Buffer {
  return createHash('sha256').update(encryptKey, 'utf8').digest();
}

/**
 * Encrypt as the platform does: base64(IV ‖ AES-256-CBC(SHA-256(key), PKCS#7)(plaintext)).
 * `iv` is random unless given (tests pin it to compare with other implementations).
 */
export function encrypt(plaintext: string | Uint8Array, encryptKey: string, iv: Uint8Array = randomBytes(16)): string {
  if (iv.length !== 16) throw new RangeError(`IV must be 16 bytes, got ${iv.length}`);
  const cipher = createCipheriv('aes-256-cbc', deriveKey(encryptKey), iv);
  const head = typeof plaintext === 'string' ? cipher.update(plaintext, 'utf8') : cipher.update(plaintext);
  return Buffer.concat([iv, head, cipher.final()]).toString('base64');
}

export class DecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptError';
  }
}

/** Decrypt an `encrypt` field. Throws DecryptError on a wrong key, bad padding or a malformed value. */
export function decrypt(encrypted: string, encryptKey: string): string {
  const raw = Buffer.from(encrypted, 'base64');
  if (raw.length < 32 || raw.length % 16 !== 0) {
    throw new DecryptError('the encrypt field is not base64 of IV + whole AES blocks');
  }
  const decipher = createDecipheriv('aes-256-cbc', deriveKey(encryptKey), raw.subarray(0, 16));
  try {
    return Buffer.concat([decipher.update(raw.subarray(16)), decipher.final()]).toString('utf8');
  } catch {
    throw new DecryptError('cannot decrypt: wrong encrypt key (bad PKCS#7 padding)');
  }
}
