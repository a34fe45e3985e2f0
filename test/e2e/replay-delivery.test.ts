// replay's delivery behaviour against local servers that fail, stall or count on purpose.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listSamples } from '../../src/catalog/samples.js';
import { decrypt } from '../../src/protocol/crypto.js';
import { verify } from '../../src/protocol/signature.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { freePort, startRecordingServer, type Received } from '../helpers/servers.js';

type Json = Record<string, unknown>;
const jsonLines = (text: string): Json[] => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);
const envelopeOf = (r: Received, key?: string): Json => {
  const body = JSON.parse(r.body) as Json;
  return key ? (JSON.parse(decrypt(body.encrypt as string, key)) as Json) : body;
};
const headerOf = (e: Json): Json => e.header as Json;
/** Where the deadline is not the point: room for a busy machine (these tests run side by side in one process). */
const ROOM = ['--timeout', '20000'];

describe('replay delivery', { concurrency: true }, () => {
  test('wire format: compact JSON, content-type, user-agent, valid X-Lark signature over the raw body', async () => {
    const server = await startRecordingServer();
    try {
      const r = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--to', server.url, '--encrypt-key', 'k1', '--no-control', ...ROOM]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const req = server.received[0] as Received;
      assert.equal(req.method, 'POST');
      assert.equal(req.url, '/webhook/event');
      assert.equal(req.headers['content-type'], 'application/json; charset=utf-8');
      assert.match(String(req.headers['user-agent']), /^feishu-events\/\d+\.\d+\.\d+/);
      assert.equal(req.body, JSON.stringify(JSON.parse(req.body)));
      const timestamp = String(req.headers['x-lark-request-timestamp']);
      assert.match(timestamp, /^\d{10}$/);
      assert.ok(Math.abs(Number(timestamp) - Date.now() / 1000) < 60);
      const nonce = String(req.headers['x-lark-request-nonce']);
      const signature = String(req.headers['x-lark-signature']);
      assert.equal(verify({ timestamp, nonce, encryptKey: 'k1', body: req.body, signature }), true);
      assert.equal(headerOf(envelopeOf(req, 'k1')).event_type, 'hire.eco_exam.created_v1');
    } finally {
      await server.close();
    }
  });

  test('retries: a failed delivery is re-pushed on the schedule with the same event_id', async () => {
    const server = await startRecordingServer((_req, n) => (n <= 2 ? { status: 503, body: 'busy, try later' } : { status: 200 }));
    try {
      const r = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--to', server.url, '--retries', '100ms,200ms,5s', '--json', '--no-control', ...ROOM]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(server.received.length, 3);
      const ids = server.received.map((q) => headerOf(envelopeOf(q)).event_id);
      assert.equal(new Set(ids).size, 1, 'the same event_id on every attempt');
      const gap1 = (server.received[1] as Received).at - (server.received[0] as Received).at;
      const gap2 = (server.received[2] as Received).at - (server.received[1] as Received).at;
      assert.ok(gap1 >= 90 && gap2 >= 190, `waited on the schedule (${gap1} ms, ${gap2} ms)`);
      const lines = jsonLines(r.stdout);
      const attempts = lines.filter((l) => l.type === 'delivery');
      assert.deepEqual(attempts.map((a) => [a.attempt, a.status, a.ok]), [[1, 503, false], [2, 503, false], [3, 200, true]]);
      assert.equal(attempts[0]?.retry_in_ms, 100);
      assert.equal(attempts[0]?.body, 'busy, try later');
      const summary = lines.at(-1) as Json;
      assert.deepEqual([summary.delivered, summary.failed, summary.retried, summary.attempts], [1, 0, 1, 3]);
    } finally {
      await server.close();
    }
  });

  test('without retries a failure is final: exit 1, status and an excerpt of the answer shown', async () => {
    const server = await startRecordingServer(() => ({ status: 500, body: 'TypeError: cannot read properties of undefined' }));
    try {
      const r = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--to', server.url, '--no-control', ...ROOM]);
      assert.equal(r.code, 1);
      assert.equal(server.received.length, 1);
      assert.match(r.stdout, /✗ 500/);
      assert.match(r.stdout, /HTTP 500: TypeError: cannot read properties of undefined/);
      assert.match(r.stdout, /0 delivered, 1 failed/);
    } finally {
      await server.close();
    }
  });

  test('a hint that repeats is printed once, with a count', async () => {
    const server = await startRecordingServer(() => ({ status: 202 }));
    try {
      const r = await runInProcess(['replay', 'hire.eco_exam.created_v1/*', '--to', server.url, ...ROOM]);
      assert.equal(r.code, 1);
      const failures = (r.stdout.match(/^✗ 202/gm) ?? []).length;
      assert.ok(failures >= 2, r.stdout);
      const hints = r.stdout.match(/^hint.*$/gm) ?? [];
      assert.equal(hints.length, 1, r.stdout);
      assert.match(hints[0] as string, new RegExp(`hint \\(${failures} deliveries\\): the platform expects HTTP 200: a 202 is a failed delivery`));
    } finally {
      await server.close();
    }
  });

  test('nothing listening: one error, one hint, exit 1, nothing on stdout, no stack trace', async () => {
    const port = await freePort();
    const r = await runCli(['replay', '--to', `http://127.0.0.1:${port}/webhook/event`]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('replaying'));
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0] as string, /connection refused/);
    assert.match(lines[1] as string, new RegExp(`hint: nothing is listening on 127.0.0.1:${port}: start your app, or point --to at it`));
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /);
    // With --retries replay keeps going, as before: every attempt is reported.
    const retried = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--to', `http://127.0.0.1:${port}/webhook/event`, '--retries', '10ms', '--json', '--no-control', ...ROOM]);
    assert.equal(retried.code, 1);
    const attempts = jsonLines(retried.stdout).filter((l) => l.type === 'delivery');
    assert.deepEqual(attempts.map((a) => [a.attempt, a.verdict]), [[1, 'refused'], [2, 'refused']]);
  });

  test('the control delivery: one extra request first, the first event in a form the app cannot accept', async () => {
    const server = await startRecordingServer();
    try {
      const keyed = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--to', server.url, '--encrypt-key', 'k1', '--json', ...ROOM]);
      assert.equal(keyed.code, 0, keyed.stderr);
      assert.equal(server.received.length, 2, 'one control, one delivery');
      const [control, real] = server.received as [Received, Received];
      const signed = (r: Received): boolean =>
        verify({ timestamp: String(r.headers['x-lark-request-timestamp']), nonce: String(r.headers['x-lark-request-nonce']), encryptKey: 'k1', body: r.body, signature: String(r.headers['x-lark-signature']) });
      assert.equal(signed(control), false, 'the control is signed with a wrong key');
      assert.equal(signed(real), true);
      assert.equal(headerOf(envelopeOf(control, 'k1')).event_type, 'hire.eco_exam.created_v1');
      const lines = jsonLines(keyed.stdout);
      assert.equal(lines[0]?.type, 'control');
      // This server answers everything alike: the delivery is ⚠ — delivered, read unknown.
      const delivery = lines.find((l) => l.type === 'delivery') as Json;
      assert.deepEqual([delivery.mark, delivery.read], ['warn', 'unknown']);
      assert.equal((lines.at(-1) as Json).unknown_read, 1);
      server.received.length = 0;
      const plain = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--to', server.url, ...ROOM]);
      assert.equal(plain.code, 0);
      assert.equal(headerOf(envelopeOf(server.received[0] as Received)).event_type, 'feishu_events.control_v1');
      assert.match(plain.stdout, /^⚠ 200 /m);
      assert.match(plain.stdout, /replay cannot tell whether the app read it/);
      const strict = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--to', server.url, '--strict', ...ROOM]);
      assert.equal(strict.code, 1, '--strict: ⚠ exits 1');
      server.received.length = 0;
      const off = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--to', server.url, '--no-control', ...ROOM]);
      assert.equal(off.code, 0);
      assert.equal(server.received.length, 1, '--no-control: no extra request');
      assert.match(off.stdout, /^✓ 200 /m);
      assert.match(off.stdout, /--no-control: whether the app read the events was not checked/);
    } finally {
      await server.close();
    }
  });

  test('--duplicate n: every event n extra times with the same event_id', async () => {
    const server = await startRecordingServer();
    try {
      const r = await runInProcess(['replay', 'hire.eco_exam.created_v1/*', '--to', server.url, '--duplicate', '2', '--json', '--no-control', ...ROOM]);
      assert.equal(r.code, 0, r.stderr);
      const ids = server.received.map((q) => String(headerOf(envelopeOf(q)).event_id));
      const counts = new Map<string, number>();
      for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
      assert.ok(counts.size >= 3);
      for (const n of counts.values()) assert.equal(n, 3);
      const summary = jsonLines(r.stdout).at(-1) as Json;
      assert.equal(summary.deliveries, ids.length);
      assert.equal(summary.events, counts.size);
    } finally {
      await server.close();
    }
  });

  test('--shuffle changes the order and keeps every event; the default keeps input order', async () => {
    const server = await startRecordingServer();
    try {
      const ordered = await runInProcess(['replay', '--to', server.url, '--keep-ids', '--json', '--no-control', ...ROOM]);
      assert.equal(ordered.code, 0);
      const expected = jsonLines(ordered.stdout).filter((l) => l.type === 'delivery').map((l) => `${l.source}`);
      const inOrder = server.received.map((q) => JSON.stringify(envelopeOf(q)));
      server.received.length = 0;
      const shuffled = await runInProcess(['replay', '--to', server.url, '--keep-ids', '--shuffle', '--json', '--no-control', ...ROOM]);
      assert.equal(shuffled.code, 0);
      const got = jsonLines(shuffled.stdout).filter((l) => l.type === 'delivery').map((l) => `${l.source}`);
      assert.deepEqual([...got].sort(), [...expected].sort());
      assert.notDeepEqual(got, expected, 'the order changed (29 events: a repeat of the input order is ~1 in 10^30)');
      assert.deepEqual(server.received.map((q) => JSON.stringify(envelopeOf(q))).sort(), [...inOrder].sort());
    } finally {
      await server.close();
    }
  });

  test('--concurrency n: up to n deliveries in flight; 1 keeps them one at a time', async () => {
    // Answers are held until four requests are in flight at once (or, should replay never get there, for 20 s), so
    // that how fast a busy machine sends them does not matter.
    let releaseAnswers: () => void = () => {};
    const fourInFlight = new Promise<void>((resolve) => (releaseAnswers = resolve));
    const slow = await startRecordingServer(async () => {
      if (slow.maxInFlight() >= 4) releaseAnswers();
      await Promise.race([fourInFlight, new Promise((resolve) => setTimeout(resolve, 20_000).unref())]);
      return { status: 200 };
    });
    try {
      const r = await runInProcess(['replay', 'corehr.employee.domain_event_v2/*', '--to', slow.url, '--concurrency', '4', '--no-control', ...ROOM]);
      assert.equal(r.code, 0, r.stdout);
      assert.equal(slow.maxInFlight(), 4);
    } finally {
      await slow.close();
    }
    const one = await startRecordingServer(() => ({ status: 200, delayMs: 20 }));
    try {
      const r = await runInProcess(['replay', 'corehr.employee.domain_event_v2/*', '--to', one.url, ...ROOM]);
      assert.equal(r.code, 0);
      assert.equal(one.maxInFlight(), 1);
    } finally {
      await one.close();
    }
  });

  test('--set, --keep-ids, --verification-token, --app-id, --tenant-key shape the envelope', async () => {
    const server = await startRecordingServer();
    try {
      const r = await runInProcess([
        'replay', 'hire.eco_background_check.created_v1', '--to', server.url, '--keep-ids',
        '--set', 'event.package_id=13', '--set', 'event.candidate_info.name=李雷', '--set', 'event.additional_item_id_list=["a","b"]',
        '--verification-token', 'vt', '--app-id', 'cli_0000000000000001', '--tenant-key', 'tk', '--no-control',
      ]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const e = envelopeOf(server.received[0] as Received);
      const h = headerOf(e);
      assert.equal(h.event_id, '5e3702a84e847582be8db7fb73283c02');
      assert.equal(h.create_time, '1608725989000');
      assert.equal(h.token, 'vt');
      assert.equal(h.app_id, 'cli_0000000000000001');
      assert.equal(h.tenant_key, 'tk');
      const ev = e.event as Json;
      assert.equal(ev.package_id, '13', 'a number typed for a string field is taken as the string');
      assert.equal((ev.candidate_info as Json).name, '李雷');
      assert.deepEqual(ev.additional_item_id_list, ['a', 'b']);
      // --set-new may add fields and change kinds; without it, both are refused before anything is sent.
      const added = await runInProcess(['replay', 'hire.eco_background_check.created_v1', '--to', server.url, '--no-control', '--set-new', '--set', 'event.package_id=13', '--set', 'event.extra.deep=1', ...ROOM]);
      assert.equal(added.code, 0, added.stdout + added.stderr);
      const ev2 = envelopeOf(server.received[1] as Received).event as Json;
      assert.equal(ev2.package_id, 13);
      assert.deepEqual(ev2.extra, { deep: 1 });
      for (const [set, message] of [
        ['event.nope.deep=1', /--set event\.nope\.deep=1: hire\.eco_background_check\.created_v1\/doc has no field event\.nope\n  hint: .*--set-new/],
        ['event.candidate_info.name.x=1', /has no field event\.candidate_info\.name\.x/],
        ['event.candidate_info={"a":1}', null],
        ['event.candidate_info.name=["x"]', /event\.candidate_info\.name is a string in hire\.eco_background_check\.created_v1\/doc, not an array/],
      ] as const) {
        const refused = await runInProcess(['replay', 'hire.eco_background_check.created_v1', '--to', server.url, '--no-control', '--set', set, ...ROOM]);
        if (message === null) {
          assert.equal(refused.code, 0, `${set} keeps the kind: ${refused.stderr}`);
          continue;
        }
        assert.equal(refused.code, 2, set);
        assert.match(refused.stderr, message);
      }
      assert.equal(server.received.length, 3, 'refused --set sends nothing');
    } finally {
      await server.close();
    }
  });

  test('settings come from the environment and a .env file when no flag is given', async () => {
    const server = await startRecordingServer();
    const { dir, cleanup } = await tempDir();
    try {
      await writeFile(join(dir, '.env'), `FEISHU_EVENTS_TO=${server.url}\nFEISHU_VERIFICATION_TOKEN=from-dotenv\n`);
      const r = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--no-control', ...ROOM], { cwd: dir, env: { FEISHU_ENCRYPT_KEY: 'env-key' } });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const e = envelopeOf(server.received[0] as Received, 'env-key');
      assert.equal(headerOf(e).token, 'from-dotenv');
      const flag = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--no-control', '--verification-token', 'from-flag', ...ROOM], { cwd: dir, env: { FEISHU_ENCRYPT_KEY: 'env-key', FEISHU_VERIFICATION_TOKEN: 'from-env' } });
      assert.equal(flag.code, 0);
      assert.equal(headerOf(envelopeOf(server.received[1] as Received, 'env-key')).token, 'from-flag');
    } finally {
      await server.close();
      await cleanup();
    }
  });

  test('inputs: .json arrays, NDJSON files, directories, stdin and encrypted captures', async () => {
    const server = await startRecordingServer();
    const { dir, cleanup } = await tempDir();
    try {
      const env = (id: string): Json => ({ schema: '2.0', header: { event_id: id, event_type: 'corehr.department.updated_v2', create_time: '1', token: '', app_id: 'cli_a', tenant_key: 't' }, event: { department_id: id } });
      await writeFile(join(dir, 'a.json'), JSON.stringify([env('a1'), env('a2')], null, 2));
      await writeFile(join(dir, 'b.ndjson'), `${JSON.stringify(env('b1'))}\n\n${JSON.stringify(env('b2'))}\n`);
      const { encrypt } = await import('../../src/protocol/crypto.js');
      await writeFile(join(dir, 'c.jsonl'), `${JSON.stringify({ encrypt: encrypt(JSON.stringify(env('c1')), 'cap-key') })}\n`);
      const r = await runInProcess(['replay', dir, '-', '--to', server.url, '--keep-ids', '--encrypt-key', 'cap-key', '--no-control', ...ROOM], { input: JSON.stringify(env('s1')) });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const ids = server.received.map((q) => (envelopeOf(q, 'cap-key').event as Json).department_id);
      assert.deepEqual(ids, ['a1', 'a2', 'b1', 'b2', 'c1', 's1']);
    } finally {
      await server.close();
      await cleanup();
    }
  });

  test('--json: stdout holds only JSON objects with the documented fields', async () => {
    const server = await startRecordingServer();
    try {
      const r = await runInProcess(['replay', 'hire.eco_*_v1', '--to', server.url, '--json', ...ROOM]);
      assert.equal(r.code, 0);
      const all = jsonLines(r.stdout);
      assert.equal(all[0]?.type, 'control', 'the control delivery comes first');
      for (const k of ['form', 'event_type', 'verdict', 'status', 'ms']) assert.ok(k in (all[0] as Json), k);
      const lines = all.slice(1);
      const types = new Set(listSamples().filter((s) => /^hire\.eco_.*_v1$/.test(s.eventType)).map((s) => s.eventType));
      assert.ok(types.size >= 3);
      assert.equal(lines.length, types.size + 1, 'one line per event type (its representative sample), then the summary');
      assert.deepEqual(new Set(lines.slice(0, -1).map((l) => l.event_type)), types);
      for (const l of lines.slice(0, -1)) for (const k of ['event_type', 'event_id', 'attempt', 'status', 'ms', 'ok', 'verdict', 'read', 'mark', 'deadline_ms']) assert.ok(k in l, k);
      assert.equal(lines.at(-1)?.type, 'summary');
      assert.equal(lines.at(-1)?.delivered, types.size);
      assert.equal(lines.at(-1)?.failed, 0);
    } finally {
      await server.close();
    }
  });

  test('bad input: one line on stderr, exit 2, no stack trace, nothing sent', async () => {
    const server = await startRecordingServer();
    const { dir, cleanup } = await tempDir();
    try {
      await writeFile(join(dir, 'broken.json'), '{\n  "schema": "2.0",\n  "header": {,\n}');
      await writeFile(join(dir, 'broken.ndjson'), '{"schema":"2.0","header":{},"event":{}}\n{oops}\n');
      await writeFile(join(dir, 'not-event.json'), '{"hello":"world"}');
      const cases: Array<[string[], RegExp]> = [
        [['replay', 'nope.not_an_event_v1'], /unknown event type "nope.not_an_event_v1"/],
        [['replay', 'hire.eco_exam.created_v1/nope'], /no sample "nope"/],
        [['replay', join(dir, 'missing.json')], /no such file or directory/],
        [['replay', join(dir, 'broken.json')], /broken\.json:3:14: invalid JSON/],
        [['replay', join(dir, 'broken.ndjson')], /broken\.ndjson:2:2: invalid JSON/],
        [['replay', join(dir, 'not-event.json')], /not an event envelope/],
        [['replay', '--to', 'not a url'], /"not a url" is not a URL/],
        [['replay', '--to', 'ftp://127.0.0.1/x'], /not an http\(s\) URL/],
        [['replay', '--retries', 'sometimes'], /--retries/],
        [['replay', '--concurrency', '0'], /--concurrency must be between 1 and 10000/],
        [['replay', '--duplicate', 'two'], /--duplicate must be a whole number/],
        [['replay', '--timeout', 'soon'], /--timeout/],
        [['replay', '--set', 'nothing'], /--set: expected path=value/],
        [['replay', '--format', 'junit'], /--format junit is for --contract/],
        [['replay', '--format', 'xml'], /--format must be pretty, json or junit/],
        [['replay', '--no-such-flag'], /unknown option/],
      ];
      for (const [args, message] of cases) {
        const r = await runInProcess([...args, ...(args.includes('--to') ? [] : ['--to', server.url])]);
        assert.equal(r.code, 2, `${args.join(' ')} → ${r.stderr}`);
        assert.match(r.stderr, message, args.join(' '));
        assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
        assert.equal(r.stdout, '');
      }
      assert.equal(server.received.length, 0);
    } finally {
      await server.close();
      await cleanup();
    }
  });

  test('--list shows the bundled samples', async () => {
    const r = await runCli(['replay', '--list', '--json']);
    assert.equal(r.code, 0);
    const specs = jsonLines(r.stdout).map((l) => l.spec);
    assert.ok(specs.includes('hire.eco_exam.created_v1/doc'));
    assert.ok(specs.includes('corehr.employee.domain_event_v2/minimal'));
  });
});

// Verdicts that hinge on a clock (an answer just past a deadline, the challenge's fixed 1 s) are judged after the
// tests above, by replays that have this process to themselves (with the servers; their modules already loaded).
describe('replay delivery: verdicts that need a clock', () => {
  // Servers that answer badly on purpose, each its own way.
  test('verdicts name what happened: late, 204, 404, 500, reset, never — each with the hint for that cause', async () => {
    // Late: answered 100 ms after a 3000 ms deadline. replay waits another 3000 ms for a late answer, so the verdict
    // holds however slow the machine is for up to ~2.9 s (with 300 ms / 600 ms a loaded machine made it no-answer).
    const late = await startRecordingServer(() => ({ status: 200, body: '{"ok":true}', delayMs: 3100 }));
    const noContent = await startRecordingServer(() => ({ status: 204 }));
    const notFound = await startRecordingServer(() => ({ status: 404, body: 'no route' }));
    const failing = await startRecordingServer(() => ({ status: 500, body: 'TypeError: x is undefined' }));
    const reset = await startRecordingServer(() => ({ destroy: true }));
    const never = await startRecordingServer(() => ({ never: true }));
    // 1.1 s: just past the challenge's fixed 1 s, leaving most of the 1 s replay waits for a late answer to a busy machine.
    const slowChallenge = await startRecordingServer(() => ({ status: 200, body: '{}', delayMs: 1100 }));
    const servers = [late, noContent, notFound, failing, reset, never, slowChallenge];
    try {
      const prettyRun = runInProcess(['replay', 'hire.eco_exam.created_v1', '--to', late.url, '--timeout', '3000', '--no-control']);
      // Only the slow servers get a short deadline: on a busy machine even a quick answer may take a few hundred ms.
      const run = (url: string, deadline: string) => runInProcess(['replay', 'hire.eco_exam.created_v1', '--to', url, '--timeout', deadline, '--json', '--no-control']);
      const deadlines = ['3000', '5000', '5000', '5000', '5000', '300'];
      const results = await Promise.all(servers.slice(0, 6).map((s, i) => run(s.url, deadlines[i] as string)));
      const expected: Array<[string, RegExp, RegExp]> = [
        ['late', /answered 200 after \d+ ms, past the 3000 ms deadline/, /answer 200 first, then do the work/],
        ['wrong-status', /HTTP 204/, /the platform expects HTTP 200: a 204 is a failed delivery/],
        ['wrong-status', /HTTP 404/, /check the path in --to/],
        ['wrong-status', /HTTP 500/, /see the app's log/],
        ['reset', /closed before an answer/, /closed the connection without answering/],
        ['no-answer', /no answer within 300 ms/, /never answers a request whose URL is not exactly its path/],
      ];
      results.forEach((r, i) => {
        const [verdict, error, hint] = expected[i] as [string, RegExp, RegExp];
        assert.equal(r.code, 1, `${verdict}: ${r.stdout}${r.stderr}`);
        const delivery = jsonLines(r.stdout).find((l) => l.type === 'delivery') as Json;
        assert.equal(delivery.verdict, verdict, JSON.stringify(delivery));
        assert.equal(delivery.mark, 'fail');
        assert.match(String(delivery.error), error);
        assert.match(String(delivery.hint), hint);
        assert.equal(delivery.deadline_ms, Number(deadlines[i]));
        // Judged by our own timer at the deadline; a late answer keeps its real latency.
        if (verdict === 'late' || verdict === 'no-answer') assert.equal(typeof delivery.judged_at_ms, 'number');
        if (verdict === 'late') assert.ok(Number(delivery.ms) >= 3100, `the real latency is reported (${String(delivery.ms)} ms)`);
        if (verdict === 'late') assert.doesNotMatch(String(delivery.hint), /path/, 'the late hint is about the deadline, not the path');
      });
      // The challenge has its own deadline (1 s) and hint: nothing about re-pushes. Its window is the narrowest (an
      // answer between 1 s and 2 s): its replay runs alone once the others have ended, in this process (its modules
      // already loaded), so that nothing else needs the CPU while the answer is on its way.
      await prettyRun;
      const challenge = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--to', slowChallenge.url, '--challenge', '--json']);
      assert.equal(challenge.code, 1);
      const c = jsonLines(challenge.stdout)[0] as Json;
      assert.deepEqual([c.type, c.verdict, c.deadline_ms], ['challenge', 'late', 1000]);
      assert.match(String(c.error), /answered 200 after \d+ ms, past the 1000 ms deadline/);
      assert.match(String(c.hint), /1 s to echo the challenge/);
      assert.doesNotMatch(String(c.hint), /pushes the event again/);
      const pretty = await prettyRun;
      assert.equal(pretty.code, 1);
      assert.match(pretty.stdout, /✗ 200 .*hire\.eco_exam\.created_v1/);
      assert.match(pretty.stdout, /answered 200 after \d+ ms, past the 3000 ms deadline \(failed at \d+(\.\d)? ms\): \{"ok":true\}/);
      assert.match(pretty.stdout, /0 delivered, 1 failed \(1 late\)/);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });
});
