// replay against apps built with the official SDK (EventDispatcher + adaptDefault): the reference peer.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Lark from '@larksuiteoapi/node-sdk';
import { startExampleServer } from 'feishu-events/examples/webhook-server.js';
import { DOCUMENTED_SPECS, documentedSamples, runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { warmUp } from '../helpers/sdk-apps.js';

/** Where the deadline is not the point: room for a busy machine (the app and replay share this process). */
const ROOM = ['--timeout', '20000'];

const KEY = 'e2e encrypt key';
const TOKEN = 'e2e-verification-token';

type Got = { type: string; data: Record<string, unknown> };

function expectEveryBundledSample(got: Got[]): void {
  const samples = documentedSamples();
  assert.equal(got.length, samples.length, 'every sample reached a handler exactly once');
  const ids = new Set(got.map((g) => g.data.event_id));
  assert.equal(ids.size, samples.length, 'each delivery has its own fresh event_id');
  for (const sample of samples) {
    const envelope = JSON.parse(readFileSync(sample.path, 'utf8')) as { event: Record<string, unknown> };
    const idField = Object.keys(envelope.event).find((k) => k.endsWith('_id') && k !== 'account_id' && k !== 'operator_user_id' && k !== 'opt_id' && k !== 'paper_id' && k !== 'package_id') as string;
    const match = got.find((g) => g.type === sample.eventType && JSON.stringify(pick(g.data, Object.keys(envelope.event))) === JSON.stringify(envelope.event));
    assert.ok(match, `${sample.eventType}/${sample.name} reached its handler with every event field intact (${idField})`);
    assert.equal(match.data.event_type === sample.eventType || match.type === sample.eventType, true);
  }
}

function pick(data: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, data[k]]));
}

describe('replay-sdk', () => {
  test('encrypted + signed: every sample of the documented types reaches its registered handler once, challenge first', async () => {
    const got: Got[] = [];
    const app = await startExampleServer({ port: 0, encryptKey: KEY, verificationToken: TOKEN, onEvent: (type, data) => got.push({ type, data }) });
    try {
      await warmUp(app.url, TOKEN);
      // A long delivery deadline: what reaches the handlers is the subject here, not how fast a loaded machine answers.
      const r = await runCli(['replay', ...DOCUMENTED_SPECS, '--to', app.url, '--encrypt-key', KEY, '--verification-token', TOKEN, '--challenge', '--json', '--timeout', '20000']);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(lines[0]?.type, 'challenge');
      assert.equal(lines[0]?.ok, true);
      const summary = lines.at(-1) as Record<string, unknown>;
      assert.equal(summary.type, 'summary');
      assert.equal(summary.delivered, documentedSamples().length);
      assert.equal(summary.failed, 0);
      expectEveryBundledSample(got);
      for (const g of got) {
        assert.equal(g.data.token, TOKEN, 'the verification token is in the header');
        assert.match(String(g.data.event_id), /^[0-9a-f]{32}$/);
        assert.ok(Math.abs(Number(g.data.create_time) - Date.now()) < 60_000, 'create_time is now, in ms');
      }
      assert.equal(r.stdout.includes(KEY), false, 'the encrypt key is never printed');
      assert.equal(r.stderr.includes(KEY), false);
    } finally {
      await app.close();
    }
  });

  test('plaintext: an app without an Encrypt Key gets every sample', async () => {
    const got: Got[] = [];
    const app = await startExampleServer({ port: 0, encryptKey: '', verificationToken: '', onEvent: (type, data) => got.push({ type, data }) });
    try {
      await warmUp(app.url, TOKEN);
      const r = await runCli(['replay', ...DOCUMENTED_SPECS, '--to', app.url, '--challenge', '--timeout', '20000']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /url_verification {2}challenge echoed/);
      assert.match(r.stdout, new RegExp(`${documentedSamples().length} delivered, 0 failed`));
      expectEveryBundledSample(got);
    } finally {
      await app.close();
    }
  });

  test('a wrong Encrypt Key: no handler runs, the SDK still answers 200 — exactly as it answers the control: ⚠', async () => {
    const got: Got[] = [];
    // Without autoChallenge the SDK goes straight to its signature check, which fails, and answers 200 with an empty body.
    const app = await startExampleServer({ port: 0, encryptKey: KEY, autoChallenge: false, onEvent: (type, data) => got.push({ type, data }) });
    try {
      const r = await runInProcess(['replay', 'hire.eco_exam.created_v1', 'hire.eco_background_check.created_v1', 'hire.eco_background_check.canceled_v1', '--to', app.url, '--encrypt-key', 'not the key', '--json', ...ROOM]);
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const deliveries = lines.filter((l) => l.type === 'delivery');
      assert.equal(deliveries.length, 3);
      for (const d of deliveries) assert.deepEqual([d.status, d.verdict, d.mark], [200, 'delivered', 'warn']);
      assert.equal(got.length, 0, 'no handler ran');
      assert.equal((lines.at(-1) as Record<string, unknown>).unknown_read, 3);
      assert.equal(r.code, 0, 'delivered, as the platform counts it');
    } finally {
      await app.close();
    }
  });

  test('the newcomer\'s mistake — plaintext to the example app, which has an Encrypt Key — is ⚠ with the hint; the right key is ✓', async () => {
    const got: Got[] = [];
    const app = await startExampleServer({ port: 0, encryptKey: KEY, onEvent: (type, data) => got.push({ type, data }) });
    try {
      const r = await runInProcess(['replay', 'hire.eco_background_check.created_v1', '--to', app.url, ...ROOM]);
      assert.equal(got.length, 0, 'the SDK dropped it');
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^⚠ 200 .*hire\.eco_background_check\.created_v1/m);
      assert.match(r.stdout, /replay cannot tell whether the app read it/);
      assert.match(r.stdout, /--encrypt-key is missing/);
      assert.equal((r.stdout.match(/Possible causes/g) ?? []).length, 1, 'explained once');
      const strict = await runInProcess(['replay', 'hire.eco_background_check.created_v1', '--to', app.url, '--strict', ...ROOM]);
      assert.equal(strict.code, 1, '--strict: ⚠ exits 1');
      const right = await runInProcess(['replay', 'hire.eco_background_check.created_v1', '--to', app.url, '--encrypt-key', KEY, ...ROOM]);
      assert.equal(right.code, 0, right.stdout);
      assert.match(right.stdout, /^✓ 200 .*hire\.eco_background_check\.created_v1/m);
      assert.doesNotMatch(right.stdout, /⚠/);
      assert.equal(got.length, 1);
    } finally {
      await app.close();
    }
  });

  test('the challenge fails against an app that does not answer it: exit 1, events not sent, answer shown', async () => {
    const got: Got[] = [];
    const app = await startExampleServer({ port: 0, encryptKey: KEY, autoChallenge: false, onEvent: (type, data) => got.push({ type, data }) });
    try {
      const r = await runCli(['replay', 'hire.eco_exam.created_v1', '--to', app.url, '--encrypt-key', KEY, '--challenge', ...ROOM]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /✗ 200 .*url_verification/);
      assert.match(r.stdout, /not JSON|no "challenge"/);
      assert.match(r.stdout, /the challenge failed: 1 delivery not sent/);
      assert.equal(got.length, 0);
    } finally {
      await app.close();
    }
  });

  test('1.0 envelopes are replayed too', async () => {
    const lark = createRequire(import.meta.url)('@larksuiteoapi/node-sdk') as typeof Lark;
    const http = await import('node:http');
    const got: Record<string, unknown>[] = [];
    const dispatcher = new lark.EventDispatcher({ encryptKey: KEY, loggerLevel: lark.LoggerLevel.fatal }).register({
      message: async (data: Record<string, unknown>) => {
        got.push(data);
        return 'ok';
      },
    });
    const server = http.createServer(lark.adaptDefault('/webhook/event', dispatcher));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const v1 = { ts: '1502199207.7171419', uuid: 'bc447199585340d1f3728d26b1c0297a', token: 'x', type: 'event_callback', event: { type: 'message', app_id: 'cli_9f5343c580712544', tenant_key: 't', text: 'hi' } };
      const r = await runInProcess(['replay', '-', '--to', `http://127.0.0.1:${port}/webhook/event`, '--encrypt-key', KEY, '--verification-token', 'vt', ...ROOM], { input: JSON.stringify(v1) });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(got.length, 1);
      assert.equal(got[0]?.text, 'hi');
      assert.equal(got[0]?.token, 'vt');
      assert.match(String(got[0]?.uuid), /^[0-9a-f]{32}$/);
      assert.notEqual(got[0]?.uuid, v1.uuid);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('a large encrypted replay (bodies encrypted ahead in a worker thread) is accepted event by event', async () => {
    const { writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tempDir } = await import('../helpers/cli.js');
    const { dir, cleanup } = await tempDir();
    const got: Got[] = [];
    const app = await startExampleServer({ port: 0, encryptKey: KEY, verificationToken: TOKEN, onEvent: (type, data) => got.push({ type, data }) });
    try {
      const samples = documentedSamples().map((s) => readFileSync(s.path, 'utf8'));
      const lines = Array.from({ length: 1500 }, (_, i) => JSON.stringify(JSON.parse(samples[i % samples.length] as string)));
      const file = join(dir, 'many.ndjson');
      await writeFile(file, `${lines.join('\n')}\n`);
      const r = await runInProcess(['replay', file, '--to', app.url, '--encrypt-key', KEY, '--verification-token', TOKEN, '--concurrency', '8', '--json', ...ROOM]);
      assert.equal(r.code, 0, r.stderr);
      const summary = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
      assert.equal(summary.delivered, 1500);
      assert.equal(summary.unknown_read, 0, 'every signature checked out: the SDK answered with the handler\'s result, unlike the control');
      assert.equal(got.length, 1500);
      assert.equal(new Set(got.map((g) => g.data.event_id)).size, 1500);
    } finally {
      await app.close();
      await cleanup();
    }
  });
});
