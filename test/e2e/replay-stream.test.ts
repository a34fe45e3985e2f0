// replay of an input larger than what it reads ahead: streamed, its lines handed to the encoding worker as they are,
// and a bad line far into it stopping the replay there, after the deliveries before it; and a live input, sent as
// its events come.
// It needs no process of its own: it shares a test process with other such files (scripts/run-tests.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { READ_AHEAD_EVENTS } from '../../src/delivery/plan-stream.js';
import { decrypt } from '../../src/protocol/crypto.js';
import { verify } from '../../src/protocol/signature.js';
import { documentedSamples, runCli, startCli, tempDir } from '../helpers/cli.js';
import { waitUntil } from '../helpers/gateway.js';
import { startRecordingServer } from '../helpers/servers.js';

const KEY = 'stream-key';

test('a streamed input: raw lines encrypted as read (--keep-ids), signed; a bad line past the read-ahead stops it there with exit 2', async () => {
  const { dir, cleanup } = await tempDir();
  const server = await startRecordingServer();
  try {
    // Lines as a person might write them (spaces after the colons): what the app decrypts is each line, byte for byte.
    const samples = documentedSamples().map((s) => JSON.stringify(JSON.parse(readFileSync(s.path, 'utf8')), null, 1).replace(/\n\s*/g, ' '));
    const good = READ_AHEAD_EVENTS + 40;
    const lines = Array.from({ length: good }, (_, i) => samples[i % samples.length] as string);
    const file = join(dir, 'big.ndjson');
    await writeFile(file, `${lines.join('\n')}\n{"schema": "2.0", "header": \n${lines[0]}\n`);
    const r = await runCli(['replay', file, '--to', server.url, '--encrypt-key', KEY, '--keep-ids', '--no-control', '--concurrency', '16', '--json']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`big\\.ndjson:${good + 1}:`), 'the bad line is named');
    assert.match(r.stderr, new RegExp(`the ${good} deliveries before it were sent`));
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
    assert.equal(summary.type, 'summary');
    assert.equal(summary.delivered, good);
    assert.equal(server.received.length, good, 'nothing after the bad line was sent');
    const plaintexts = server.received.map((req) => {
      const headers = req.headers;
      assert.ok(verify({ timestamp: String(headers['x-lark-request-timestamp']), nonce: String(headers['x-lark-request-nonce']), encryptKey: KEY, body: req.body, signature: String(headers['x-lark-signature']) }));
      return decrypt((JSON.parse(req.body) as { encrypt: string }).encrypt, KEY);
    });
    assert.deepEqual(plaintexts.sort(), [...lines].sort(), 'each line went out as it was read, not re-serialised');
  } finally {
    await server.close();
    await cleanup();
  }
});

test('a live input (stdin left open): each event is sent once its producer pauses, not after 1,024 events or the end', { timeout: 60_000 }, async () => {
  const server = await startRecordingServer();
  try {
    const [first, second] = documentedSamples().map((s) => JSON.stringify(JSON.parse(readFileSync(s.path, 'utf8'))));
    const run = startCli(['replay', '-', '--to', server.url, '--no-control', '--json'], { keepStdinOpen: true });
    run.writeStdin(`${first}\n`);
    await waitUntil(() => server.received.length >= 1, 'the first event delivered while stdin stays open');
    run.writeStdin(`${second}\n`);
    await waitUntil(() => server.received.length >= 2, 'the second event delivered as it came');
    run.endStdin();
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
    assert.deepEqual([summary.type, summary.delivered, summary.failed], ['summary', 2, 0]);
    assert.deepEqual(
      server.received.map((req) => (JSON.parse(req.body) as { header: { event_type: string } }).header.event_type),
      [first, second].map((text) => (JSON.parse(text as string) as { header: { event_type: string } }).header.event_type),
    );
  } finally {
    await server.close();
  }
});
