/**
 * Random bytes from the platform's CSPRNG through Web Crypto (`crypto.getRandomValues`, node's own): unlike an
 * import of node:crypto, it is set up on first use, and loading node:crypto costs some 5 ms of every start-up while
 * commands that merely list or check (replay --list, validate) never draw a random byte.
 */
function randomBytes(size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  // getRandomValues fills at most 65,536 bytes a call.
  for (let at = 0; at < size; at += 65_536) globalThis.crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65_536)));
  return bytes;
}

/** A source of random bytes: `(n) => n bytes`. */
export type RandomSource = (length: number) => Uint8Array;

/**
 * Random bytes drawn from one larger `randomBytes` call at a time: a push needs a fresh IV, nonce and event id,
 * and one system call per value costs more than the AES itself at thousands of pushes a second.
 * Each value is a view into a buffer that is never refilled, so values stay distinct and unshared.
 */
export function pooledRandom(poolSize = 16 * 1024): RandomSource {
  let pool: Buffer = Buffer.alloc(0);
  let offset = 0;
  return (length) => {
    if (offset + length > pool.length) {
      pool = randomBytes(Math.max(poolSize, length));
      offset = 0;
    }
    const out = pool.subarray(offset, offset + length);
    offset += length;
    return out;
  };
}

export const systemRandom: RandomSource = (length) => randomBytes(length);
