import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Lark from '@larksuiteoapi/node-sdk';
import { makeNonce, sign, unixSeconds, verify } from '../../src/protocol/signature.js';
import { bodiesSigner, buildChallengeDelivery, buildDelivery, signedHeaders, signedNow } from '../../src/protocol/http-request.js';
import { pooledRandom } from '../../src/protocol/random.js';
import { buildChallenge } from '../../src/protocol/challenge.js';
import { decrypt } from '../../src/protocol/crypto.js';

// require, not import: the SDK is CommonJS, and import() first scans its 6 MB for named exports (~0.2 s of CPU).
const lark = createRequire(import.meta.url)('@larksuiteoapi/node-sdk') as typeof Lark;

test('signature is hex SHA-256 of timestamp + nonce + key + body', () => {
  const expected = createHash('sha256').update('1700000000' + 'abc' + 'key' + '{"a":1}').digest('hex');
  assert.equal(sign({ timestamp: '1700000000', nonce: 'abc', encryptKey: 'key', body: '{"a":1}' }), expected);
  assert.match(expected, /^[0-9a-f]{64}$/);
});

test('signature covers the raw bytes, multi-byte characters included', () => {
  const body = '{"name":"王二"}';
  assert.equal(
    sign({ timestamp: '1', nonce: 'n', encryptKey: 'k', body }),
    sign({ timestamp: '1', nonce: 'n', encryptKey: 'k', body: Buffer.from(body, 'utf8') }),
  );
});

test('verify accepts the right signature and rejects any change', () => {
  const input = { timestamp: '1700000000', nonce: 'n0nce', encryptKey: 'key', body: '{"encrypt":"x"}' };
  const signature = sign(input);
  assert.equal(verify({ ...input, signature }), true);
  assert.equal(verify({ ...input, signature: signature.toUpperCase() }), true);
  assert.equal(verify({ ...input, body: '{"encrypt": "x"}', signature }), false);
  assert.equal(verify({ ...input, encryptKey: 'other', signature }), false);
  assert.equal(verify({ ...input, signature: 'short' }), false);
});

test('nonces are random alphanumerics; timestamps are Unix seconds', () => {
  const a = makeNonce();
  assert.match(a, /^[A-Za-z0-9]{16}$/);
  assert.notEqual(a, makeNonce());
  assert.equal(unixSeconds(1_700_000_000_999), '1700000000');
});

const envelope = {
  schema: '2.0' as const,
  header: { event_id: 'e1', event_type: 'hire.eco_exam.created_v1', create_time: '1', token: 'tok', app_id: 'cli_0123456789abcdef', tenant_key: 't' },
  event: { exam_id: '42', candidate_info: { name: '王二' } },
};

test('buildDelivery: compact JSON, content-type, and a signature that checks out', () => {
  const d = buildDelivery(envelope, { url: 'http://127.0.0.1:1/x', encryptKey: 'k', userAgent: 'ua', now: 1_700_000_000_000, nonce: 'fixed' });
  assert.equal(d.method, 'POST');
  assert.equal(d.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(d.headers['user-agent'], 'ua');
  assert.equal(d.headers['X-Lark-Request-Timestamp'], '1700000000');
  assert.equal(d.headers['X-Lark-Request-Nonce'], 'fixed');
  assert.equal(d.body, JSON.stringify(JSON.parse(d.body)), 'compact, as JSON.stringify writes it');
  const sig = d.headers['X-Lark-Signature'] as string;
  assert.equal(verify({ timestamp: '1700000000', nonce: 'fixed', encryptKey: 'k', body: d.body, signature: sig }), true);
  const { encrypt } = JSON.parse(d.body) as { encrypt: string };
  assert.deepEqual(JSON.parse(decrypt(encrypt, 'k')), envelope);
});

test('buildDelivery without a key: the plain envelope, no signature headers', () => {
  const d = buildDelivery(envelope, { url: 'http://127.0.0.1:1/x' });
  assert.deepEqual(JSON.parse(d.body), envelope);
  assert.equal(Object.keys(d.headers).some((h) => h.toLowerCase().startsWith('x-lark')), false);
});

test('the challenge is encrypted with a key and never signed', () => {
  const challenge = buildChallenge('tok', 'abc');
  const d = buildChallengeDelivery(challenge, { url: 'http://127.0.0.1:1/x', encryptKey: 'k' });
  assert.equal(Object.keys(d.headers).some((h) => h.toLowerCase().startsWith('x-lark')), false);
  assert.deepEqual(JSON.parse(decrypt((JSON.parse(d.body) as { encrypt: string }).encrypt, 'k')), { challenge: 'abc', token: 'tok', type: 'url_verification' });
});

test("the official SDK's EventDispatcher accepts what buildDelivery makes, and rejects a wrong key", async () => {
  const seen: unknown[] = [];
  const dispatcher = new lark.EventDispatcher({ encryptKey: 'k', verificationToken: 'tok', loggerLevel: lark.LoggerLevel.fatal }).register({
    'hire.eco_exam.created_v1': async (data: unknown) => {
      seen.push(data);
      return 'ok';
    },
  });
  const asRequest = (d: ReturnType<typeof buildDelivery>): Record<string, unknown> => {
    const lower = Object.fromEntries(Object.entries(d.headers).map(([k, v]) => [k.toLowerCase(), v]));
    return Object.assign(Object.create({ headers: lower }), JSON.parse(d.body)) as Record<string, unknown>;
  };
  const good = await dispatcher.invoke(asRequest(buildDelivery(envelope, { url: 'http://x/', encryptKey: 'k' })));
  assert.equal(good, 'ok');
  assert.equal(seen.length, 1);
  const data = seen[0] as Record<string, unknown>;
  assert.equal(data.exam_id, '42');
  assert.equal(data.event_id, 'e1');
  assert.equal(data.token, 'tok');
  const bad = await dispatcher.invoke(asRequest(buildDelivery(envelope, { url: 'http://x/', encryptKey: 'wrong' })));
  assert.equal(bad, undefined);
  assert.equal(seen.length, 1, 'no handler ran for the wrong key');
});

test('bodiesSigner: each body encrypts its envelope and its signature checks out; signedNow signs an old one again', () => {
  const plaintexts = [JSON.stringify(envelope), '{"schema":"2.0","event":{"text":"事件 ✓ 😀"}}', '{}', 'x'.repeat(2000)];
  const signed = bodiesSigner('k 密钥', pooledRandom())(plaintexts);
  assert.equal(signed.bodies.length, plaintexts.length);
  const ivs = new Set<string>();
  plaintexts.forEach((plaintext, i) => {
    const body = signed.bodies[i] ?? '';
    const { encrypt } = JSON.parse(body) as { encrypt: string };
    assert.equal(body, JSON.stringify({ encrypt }), 'compact JSON, as the platform writes it');
    assert.equal(decrypt(encrypt, 'k 密钥'), plaintext);
    ivs.add(encrypt.slice(0, 22));
    const [timestamp, nonce, signature] = [signed.timestamps[i] ?? '', signed.nonces[i] ?? '', signed.signatures[i] ?? ''];
    assert.equal(verify({ timestamp, nonce, encryptKey: 'k 密钥', body, signature }), true);
    // Sent a minute later: the same body and nonce, signed with the time it is sent.
    const push = { url: 'http://x/', method: 'POST' as const, headers: signedHeaders('ua', { timestamp, nonce, signature }), body };
    assert.equal(signedNow(push, 'k 密钥', Number(timestamp) * 1000 + 500), push, 'the same second: unchanged');
    const later = signedNow(push, 'k 密钥', Number(timestamp) * 1000 + 60_000).headers;
    assert.equal(later['X-Lark-Request-Timestamp'], String(Number(timestamp) + 60));
    assert.equal(later['X-Lark-Request-Nonce'], nonce);
    assert.equal(verify({ timestamp: String(Number(timestamp) + 60), nonce, encryptKey: 'k 密钥', body, signature: later['X-Lark-Signature'] ?? '' }), true);
  });
  assert.equal(ivs.size, plaintexts.length, 'a fresh IV each');
});
