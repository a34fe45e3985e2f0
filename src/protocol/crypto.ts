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

/** `encrypt` with a given IV, for many messages under one key. */
export type Encryptor = (plaintext: string, iv: Uint8Array) => string;

/**
 * `encrypt` for a stream of messages under one key, each with its own IV: one long-lived AES-256-CBC cipher instead of
 * one set up per message (most of `encrypt`'s cost for an event). The cipher runs without padding, as one long CBC
 * chain; each message is padded here (PKCS#7) and its first block is fed as P1 ⊕ IV ⊕ C, C being the last block the
 * cipher produced before: the chain then yields AES(P1 ⊕ IV), …, exactly CBC(IV, message). Byte for byte what
 * `encrypt(plaintext, key, iv)` returns.
 */
export function streamEncryptor(encryptKey: string): Encryptor {
  const cipher = createCipheriv('aes-256-cbc', deriveKey(encryptKey), Buffer.alloc(16));
  cipher.setAutoPadding(false);
  /** The last ciphertext block the chain produced (at first, the zero IV it was started with). */
  const chained = Buffer.alloc(16);
  let plain = Buffer.allocUnsafe(16 * 1024);
  let out = Buffer.allocUnsafe(plain.length + 16);
  return (plaintext, iv) => {
    if (iv.length !== 16) throw new RangeError(`IV must be 16 bytes, got ${iv.length}`);
    // UTF-8 takes at most 3 bytes a UTF-16 unit; then up to a block of padding.
    const room = plaintext.length * 3 + 16;
    if (plain.length < room) {
      plain = Buffer.allocUnsafe(room);
      out = Buffer.allocUnsafe(room + 16);
    }
    const size = plain.write(plaintext, 0, 'utf8');
    const pad = 16 - (size % 16);
    plain.fill(pad, size, size + pad);
    const total = size + pad;
    for (let i = 0; i < 16; i++) plain[i] = (plain[i] as number) ^ (iv[i] as number) ^ (chained[i] as number);
    // Whole blocks in, whole blocks out: nothing stays in the cipher.
    const encrypted = cipher.update(plain.subarray(0, total));
    chained.set(encrypted.subarray(total - 16));
    out.set(iv, 0);
    out.set(encrypted, 16);
    return out.toString('base64', 0, total + 16);
  };
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
