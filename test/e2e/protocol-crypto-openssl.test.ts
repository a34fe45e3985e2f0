// AES-256-CBC as the platform uses it, checked against an independent implementation: the openssl binary. Quick: it
// shares a test process with the other such files (scripts/run-tests.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { decrypt, deriveKey, encrypt } from '../../src/protocol/crypto.js';

test('agrees with an independent implementation: openssl enc -aes-256-cbc', () => {
  const key = 'openssl cross-check';
  const iv = randomBytes(16);
  const keyHex = deriveKey(key).toString('hex');
  const plaintext = '{"schema":"2.0","event":{"name":"王二"}}';
  // openssl → ours
  const fromOpenssl = execFileSync('openssl', ['enc', '-aes-256-cbc', '-K', keyHex, '-iv', iv.toString('hex')], { input: plaintext });
  assert.equal(decrypt(Buffer.concat([iv, fromOpenssl]).toString('base64'), key), plaintext);
  // ours → openssl
  const ours = Buffer.from(encrypt(plaintext, key, iv), 'base64');
  assert.deepEqual(ours.subarray(16), fromOpenssl);
  const back = execFileSync('openssl', ['enc', '-d', '-aes-256-cbc', '-K', keyHex, '-iv', iv.toString('hex')], { input: ours.subarray(16) });
  assert.equal(back.toString('utf8'), plaintext);
});
