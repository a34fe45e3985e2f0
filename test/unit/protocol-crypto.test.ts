import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { decrypt, DecryptError, deriveKey, encrypt, streamEncryptor } from '../../src/protocol/crypto.js';

test('decrypts the documented vector', () => {
  assert.equal(decrypt('P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=', 'test key'), 'hello world');
});

test('the key is SHA-256 of the Encrypt Key', () => {
  assert.deepEqual(deriveKey('test key'), createHash('sha256').update('test key').digest());
});

test('round-trips UTF-8 text of every length around the block size', () => {
  for (const length of [0, 1, 15, 16, 17, 31, 32, 33, 1000]) {
    const text = '事'.repeat(length % 7) + 'x'.repeat(length);
    const encrypted = encrypt(text, 'some key');
    assert.equal(decrypt(encrypted, 'some key'), text);
    const raw = Buffer.from(encrypted, 'base64');
    assert.equal(raw.length % 16, 0, 'IV plus whole blocks');
    assert.ok(raw.length >= 32);
  }
});

test('uses a fresh random IV each time', () => {
  assert.notEqual(encrypt('same', 'k'), encrypt('same', 'k'));
});

test('a pinned IV reproduces the documented ciphertext', () => {
  const vector = Buffer.from('P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=', 'base64');
  assert.equal(encrypt('hello world', 'test key', vector.subarray(0, 16)), vector.toString('base64'));
});

test('a wrong key is a DecryptError, not garbage', () => {
  const encrypted = encrypt('{"schema":"2.0"}', 'right key');
  let wrongKeyErrors = 0;
  for (let i = 0; i < 20; i++) {
    try {
      const plaintext = decrypt(encrypted, `wrong key ${i}`);
      // 1 in ~256 wrong keys yields valid-looking padding; it must at least not be the plaintext.
      assert.notEqual(plaintext, '{"schema":"2.0"}');
    } catch (error) {
      assert.ok(error instanceof DecryptError);
      wrongKeyErrors++;
    }
  }
  assert.ok(wrongKeyErrors >= 15);
});

test('rejects values that are not IV + whole blocks', () => {
  assert.throws(() => decrypt('aGVsbG8=', 'k'), DecryptError);
  assert.throws(() => decrypt(Buffer.alloc(40).toString('base64'), 'k'), DecryptError);
});

test('streamEncryptor: byte for byte what encrypt makes with the same IV, message after message on one cipher', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.array(fc.record({ text: fc.string({ unit: 'binary', maxLength: 80 }), iv: fc.uint8Array({ minLength: 16, maxLength: 16 }) }), { minLength: 1, maxLength: 12 }),
      (key, messages) => {
        const encryptOne = streamEncryptor(key);
        for (const { text, iv } of messages) assert.equal(encryptOne(text, iv), encrypt(text, key, iv));
      },
    ),
    { numRuns: 200 },
  );
});
