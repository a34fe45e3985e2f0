// replay --contract against the SDK example app, a node SDK 1.40 app, and servers that accept anything or stop.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { startExampleServer } from 'feishu-events/examples/webhook-server.js';
import { decrypt } from '../../src/protocol/crypto.js';
import { verify } from '../../src/protocol/signature.js';
import { runInProcess } from '../helpers/in-process.js';
import { startSdkApp } from '../helpers/sdk-apps.js';
import { freePort, startRecordingServer, type Received } from '../helpers/servers.js';

const KEY = 'contract key';
const TOKEN = 'contract-token';
type Json = Record<string, unknown>;
const jsonLines = (text: string): Json[] => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);
const verdicts = (lines: Json[]): Record<string, [unknown, unknown]> =>
  Object.fromEntries(lines.filter((l) => l.type === 'probe').map((l) => [String(l.probe), [l.verdict, l.mark]]));

describe('replay-contract', () => {
  test('--contract against the example app: the table, advisory findings only (exit 0; --strict 1), JSON and valid JUnit', async () => {
    const app = await startExampleServer({ port: 0, encryptKey: KEY, verificationToken: TOKEN });
    try {
      const args = ['replay', 'hire.eco_exam.created_v1', '--contract', '--to', app.url, '--encrypt-key', KEY, '--verification-token', TOKEN];
      const [pretty, json, junit] = await Promise.all([runInProcess(args), runInProcess([...args, '--json']), runInProcess([...args, '--format', 'junit', '--strict'])]);
      assert.equal(pretty.code, 0, pretty.stdout + pretty.stderr);
      for (const probe of ['challenge, encrypted', 'valid delivery', 're-push', 'bad signature', 'no signature headers', 'timestamp an hour old', 'wrong verification token', 'tampered ciphertext', 'wrong Encrypt Key']) {
        assert.match(pretty.stdout, new RegExp(`^[✓⚠✗·] ${probe}`, 'm'), probe);
      }
      assert.match(pretty.stdout, /10 probes: 7 passed, 2 advisory findings, 0 failed/);
      assert.match(pretty.stdout, /never checks\n? *the timestamp or the verification token/);
      assert.equal(json.code, 0);
      const lines = jsonLines(json.stdout);
      assert.deepEqual(verdicts(lines), {
        'challenge-encrypted': ['passed', 'ok'],
        'challenge-plain': ['passed', 'info'],
        valid: ['passed', 'ok'],
        're-push': ['passed', 'ok'],
        'bad-signature': ['treated-differently', 'ok'],
        'no-signature': ['treated-differently', 'ok'],
        'stale-timestamp': ['indistinguishable', 'warn'],
        'wrong-token': ['indistinguishable', 'warn'],
        'tampered-ciphertext': ['rejected', 'ok'],
        'wrong-key': ['rejected', 'ok'],
      });
      assert.deepEqual(lines.at(-1), { type: 'contract', probes: 10, passed: 7, findings: 2, failed: 0, exit_code: 0 });
      assert.equal(junit.code, 1, '--strict: advisory findings fail');
      assert.equal(XMLValidator.validate(junit.stdout), true, junit.stdout);
      const parsed = new XMLParser({ ignoreAttributes: false }).parse(junit.stdout) as { testsuites: { testsuite: { '@_tests': string; '@_failures': string; testcase: Json[] } } };
      assert.equal(parsed.testsuites.testsuite['@_tests'], '10');
      assert.equal(parsed.testsuites.testsuite['@_failures'], '2');
      assert.equal(parsed.testsuites.testsuite.testcase.filter((t) => 'failure' in t).length, 2);
      assert.equal(pretty.stdout.includes(KEY) || json.stdout.includes(KEY) || junit.stdout.includes(KEY), false, 'the key is never printed');
    } finally {
      await app.close();
    }
  });

  test('--contract: what each probe sends', async () => {
    const server = await startRecordingServer(() => ({ status: 200, body: 'ok' }));
    try {
      const r = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--contract', '--to', server.url, '--encrypt-key', KEY, '--verification-token', TOKEN, '--json']);
      assert.equal(r.code, 1, 'a server that answers everything alike fails the required probes');
      const ids = jsonLines(r.stdout).filter((l) => l.type === 'probe').map((l) => String(l.probe));
      const byProbe = new Map(ids.map((id, i) => [id, server.received[i] as Received]));
      const signed = (q: Received, key = KEY): boolean =>
        verify({ timestamp: String(q.headers['x-lark-request-timestamp']), nonce: String(q.headers['x-lark-request-nonce']), encryptKey: key, body: q.body, signature: String(q.headers['x-lark-signature'] ?? '') });
      const open = (q: Received): Json => JSON.parse(decrypt((JSON.parse(q.body) as { encrypt: string }).encrypt, KEY)) as Json;
      const header = (q: Received): Json => open(q).header as Json;
      assert.equal(open(byProbe.get('challenge-encrypted') as Received).type, 'url_verification');
      assert.equal((JSON.parse((byProbe.get('challenge-plain') as Received).body) as Json).type, 'url_verification');
      const valid = byProbe.get('valid') as Received;
      assert.equal(signed(valid), true);
      assert.equal(header(valid).token, TOKEN);
      assert.equal(header(byProbe.get('re-push') as Received).event_id, header(valid).event_id, 'a re-push keeps the event_id');
      assert.equal(signed(byProbe.get('bad-signature') as Received), false);
      assert.notEqual(header(byProbe.get('bad-signature') as Received).event_id, header(valid).event_id);
      assert.equal((byProbe.get('no-signature') as Received).headers['x-lark-signature'], undefined);
      const stale = byProbe.get('stale-timestamp') as Received;
      assert.equal(signed(stale), true);
      assert.ok(Date.now() / 1000 - Number(stale.headers['x-lark-request-timestamp']) >= 3500, 'an hour old');
      assert.notEqual(header(byProbe.get('wrong-token') as Received).token, TOKEN);
      assert.equal(signed(byProbe.get('wrong-token') as Received), true);
      assert.equal(signed(byProbe.get('tampered-ciphertext') as Received), true, 'signed over the tampered body');
      assert.throws(() => open(byProbe.get('tampered-ciphertext') as Received));
      assert.throws(() => open(byProbe.get('wrong-key') as Received));
      const lines = jsonLines(r.stdout);
      for (const id of ['bad-signature', 'no-signature', 'tampered-ciphertext', 'wrong-key']) assert.deepEqual(verdicts(lines)[id], ['indistinguishable', 'fail'], id);
    } finally {
      await server.close();
    }
  });

  test('--contract against a node SDK 1.40 app: it answers \'\' to everything, so the signature probes are indistinguishable (exit 1)', async () => {
    const app = await startSdkApp('lark-sdk-1-40', { encryptKey: KEY, types: ['hire.eco_exam.created_v1'], returns: 'success', autoChallenge: true });
    try {
      const r = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--contract', '--to', app.url, '--encrypt-key', KEY]);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stdout, /^✗ bad signature .*indistinguishable/m);
      assert.match(r.stdout, /^✗ no signature headers .*indistinguishable/m);
      assert.match(r.stdout, /1\.17 to 1\.40 answer '' to every event/);
      assert.equal(app.handled.length, 4, 'the valid delivery, the re-push and the two advisory probes reached the handler');
    } finally {
      await app.close();
    }
  });

  test('--contract: an app that stops listening mid-way; nothing listening; no Encrypt Key', async () => {
    let stop: () => void = () => {};
    // At the fifth probe the app "crashes": it stops listening and drops its connections, in that order.
    const server = await startRecordingServer((_req, n) => {
      if (n !== 5) return { status: 200, body: n <= 2 ? '' : 'ok' };
      stop();
      return { never: true };
    });
    stop = () => void server.close();
    const r = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--contract', '--to', server.url, '--encrypt-key', KEY, '--json']);
    assert.equal(r.code, 1);
    const lines = jsonLines(r.stdout).filter((l) => l.type === 'probe');
    assert.equal(lines[4]?.verdict, 'failed', 'the probe that lost its connection');
    assert.match(String(lines[5]?.reason), /stopped listening after the "bad signature" probe/);
    assert.ok(lines.slice(6).every((l) => l.verdict === 'not-sent'), JSON.stringify(lines));
    const port = await freePort();
    const none = await runInProcess(['replay', '--contract', '--to', `http://127.0.0.1:${port}/webhook/event`, '--encrypt-key', KEY, '--duplicate', '1']);
    assert.equal(none.code, 1);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /note: --duplicate does not apply to --contract; ignored/);
    assert.match(none.stderr, /note: --contract probes with the first of \d+ input events/);
    assert.match(none.stderr, /connection refused\n {2}hint: nothing is listening/);
    const keyless = await runInProcess(['replay', '--contract', '--to', `http://127.0.0.1:${port}/webhook/event`]);
    assert.equal(keyless.code, 2);
    assert.match(keyless.stderr, /--contract needs the app's Encrypt Key/);
  });
});
