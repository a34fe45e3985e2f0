// tail against our gateway, through the official SDK's WSClient: what is pushed is what comes out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import { bin, DOCUMENTED_SPECS, documentedSamples, killAtEnd, root, tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { APP_ID, restartGatewayProcess, startGatewayProcess, waitUntil, type Json } from '../helpers/gateway.js';
import { startRecordingServer } from '../helpers/servers.js';
import { decrypt } from '../../src/protocol/crypto.js';
import { startGateway } from '../../src/gateway/server.js';
import { checkDiscovery } from '../../src/tail/discovery.js';
import { loadSdkWith, SDK_CODE_CACHE_DIR, writeSdkCodeCaches } from '../../src/tail/sdk.js';
import { v8FlagsSet } from '../../src/v8-flags.js';

/** `feishu-events tail` as a long-running child; stdout/stderr collected as they come. */
function startTail(args: string[], cwd = root) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  delete env.FEISHU_APP_ID;
  delete env.FEISHU_APP_SECRET;
  const child = killAtEnd(spawn(process.execPath, [bin, 'tail', '--app-id', APP_ID, '--app-secret', 'test-secret', ...args], { cwd, env }));
  let stdout = '';
  let stderr = '';
  let newlines = 0;
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    for (let i = d.indexOf('\n'); i !== -1; i = d.indexOf('\n', i + 1)) newlines++;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    lines: (): Json[] => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json),
    /** Complete lines on stdout so far (one event each), without parsing them: what the waits poll. */
    count: (): number => newlines,
    exited,
    stop: async () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

/** The line tail writes once its WSClient is connected (not the warning about connected clients it starts with). */
const CONNECTED = /^feishu-events: connected \(/m;

const idOf = (e: Json): string => String((e.header as Json).event_id);

/** On a loaded machine the first event can take a while (module loading, JIT): no re-push, no failed delivery for that. */
const SLOW_MACHINE_ARGS = ['--ack-timeout', '20000'];
/** The same, for a gateway in this process: where the gateway process is not the point, the library's gateway serves. */
const SLOW_MACHINE = { ackTimeoutMs: 20_000 };

test('tail --json outputs exactly the events pushed, and --save holds all of them; an invalid one is reported with validate\'s wording and passed on', async () => {
  const gateway = await startGateway(SLOW_MACHINE);
  const { dir, cleanup } = await tempDir();
  const saveFile = join(dir, 'saved.ndjson');
  const tail = startTail(['--domain', gateway.domain, '--json', '--save', saveFile]);
  try {
    await waitUntil(() => CONNECTED.test(tail.stderr()), 'tail to connect');
    assert.match(tail.stderr(), /warning: the platform gives each event to only one connected client/);
    const r = await runInProcess(['replay', ...DOCUMENTED_SPECS, '--gateway', gateway.domain, '--json', '--timeout', '20000']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const pushed = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Json).filter((l) => l.type === 'delivery').map((l) => String(l.event_id));
    assert.equal(pushed.length, documentedSamples().length);
    await waitUntil(() => tail.count() >= pushed.length, 'every event on stdout');
    assert.deepEqual(tail.lines().map(idOf).sort(), [...pushed].sort(), 'exactly the pushed events, no more, no less');
    const saved = (await readFile(saveFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Json);
    assert.deepEqual(saved.map(idOf).sort(), [...pushed].sort());
    // Each line is a whole envelope, as the platform sent it: `tail | validate -` works.
    const v = await runInProcess(['validate', '-'], { input: tail.stdout() });
    assert.equal(v.code, 0, v.stdout + v.stderr);
    // Events are validated as they arrive: an invalid one is reported with validate's wording, and still passed on.
    const before = tail.lines().length;
    const invalid = await runInProcess(['replay', '--gateway', gateway.domain, 'corehr.employee.domain_event_v2', '--set', 'event.sub_event_type=9999', '--timeout', '20000']);
    assert.equal(invalid.code, 0, invalid.stdout + invalid.stderr);
    await waitUntil(() => /invalid corehr\.employee\.domain_event_v2/.test(tail.stderr()), 'the finding');
    assert.match(tail.stderr(), /\/event\/sub_event_type: .*9999.*1001 新入职/);
    await waitUntil(() => tail.count() === before + 1, 'the invalid event on stdout');
    assert.equal(tail.lines().length, before + 1, 'the invalid event is still passed on');
  } finally {
    assert.equal(await tail.stop(), 0);
    await gateway.close();
    await cleanup();
  }
});

test('--filter keeps only matching types; --forward-to re-delivers each kept event like replay', async () => {
  const gateway = await startGateway(SLOW_MACHINE);
  const webhook = await startRecordingServer();
  const tail = startTail(['--domain', gateway.domain, '--json', '--filter', 'corehr.*', '--forward-to', webhook.url, '--encrypt-key', 'fwd-key', '--verification-token', 'fwd-token']);
  try {
    await waitUntil(() => CONNECTED.test(tail.stderr()), 'tail to connect');
    const r = await runInProcess(['replay', '--gateway', gateway.domain, 'hire.eco_exam.created_v1', 'corehr.department.updated_v2', 'corehr.employee.domain_event_v2', '--timeout', '20000']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    await waitUntil(() => webhook.received.length >= 2, 'two forwards');
    await waitUntil(() => (tail.stderr().match(/forwarded #/g) ?? []).length >= 2, 'forward results');
    const types = tail.lines().map((e) => String((e.header as Json).event_type));
    assert.deepEqual(types.sort(), ['corehr.department.updated_v2', 'corehr.employee.domain_event_v2']);
    const forwarded = webhook.received.map((q) => JSON.parse(decrypt((JSON.parse(q.body) as { encrypt: string }).encrypt, 'fwd-key')) as Json);
    assert.deepEqual(forwarded.map(idOf).sort(), tail.lines().map(idOf).sort(), 'the same event ids, forwarded');
    for (const f of forwarded) assert.equal((f.header as Json).token, 'fwd-token');
    assert.ok(webhook.received.every((q) => typeof q.headers['x-lark-signature'] === 'string'));
    assert.match(tail.stderr(), /forwarded #\d+ to .*: 200 in \d+ ms/);
  } finally {
    await tail.stop();
    await gateway.close();
    await webhook.close();
  }
});

test('stopping and restarting the gateway mid-stream: reconnecting, then it resumes', async () => {
  const args = ['--reconnect-interval', '1', '--reconnect-nonce', '0', ...SLOW_MACHINE_ARGS];
  const first = await startGatewayProcess(args);
  const tail = startTail(['--domain', first.domain, '--json']);
  let second: Awaited<ReturnType<typeof startGatewayProcess>> | undefined;
  try {
    await waitUntil(() => CONNECTED.test(tail.stderr()), 'tail to connect');
    const before = await runInProcess(['replay', '--gateway', first.domain, 'hire.eco_exam.created_v1', '--timeout', '20000']);
    assert.equal(before.code, 0, before.stdout + before.stderr);
    await waitUntil(() => tail.count() === 1, 'the first event');
    await first.stop();
    await waitUntil(() => /reconnecting/.test(tail.stderr()), 'reconnecting', 20_000);
    second = await restartGatewayProcess(first.port, args);
    await waitUntil(() => (tail.stderr().match(/: connected/g) ?? []).length >= 2, 'connected again', 30_000);
    const after = await runInProcess(['replay', '--gateway', second.domain, 'corehr.department.updated_v2', '--timeout', '20000']);
    assert.equal(after.code, 0, after.stdout + after.stderr);
    await waitUntil(() => tail.count() === 2, 'the event after the restart');
    assert.equal((tail.lines()[1]?.header as Json).event_type, 'corehr.department.updated_v2');
  } finally {
    await tail.stop();
    await first.stop();
    await second?.stop();
  }
});

// In this process (main, as the bin runs it): each fails before the SDK loads, and the message is the point; the
// bin's exit code for a tail that cannot connect is hostile-inputs' (spawned).
test('clear one-line errors: wrong app id form, credentials rejected, domain unreachable, missing secret', async () => {
  const gateway = await startGateway({ appId: APP_ID, appSecret: 'right-secret' });
  try {
    const cases: Array<[string[], RegExp]> = [
      [['tail', '--app-id', 'my-app', '--app-secret', 's', '--domain', gateway.domain], /"my-app" is not an app id/],
      [['tail', '--app-id', APP_ID, '--app-secret', 'Zq9-not-the-secret', '--domain', gateway.domain], /refused the connection: the app id or app secret was rejected \(code 514/],
      [['tail', '--app-id', APP_ID, '--app-secret', 's', '--domain', 'http://127.0.0.1:9'], /cannot reach http:\/\/127\.0\.0\.1:9: connection refused/],
      [['tail', '--app-id', APP_ID, '--domain', gateway.domain], /tail needs the app's app secret/],
      [['tail', '--app-id', APP_ID, '--app-secret', 's', '--domain', 'ftp://x'], /not an http\(s\) URL/],
    ];
    for (const [args, message] of cases) {
      // Its environment is only what it is given: no FEISHU_APP_ID / FEISHU_APP_SECRET of this process.
      const r = await runInProcess(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.equal(r.stderr.includes('Zq9-not-the-secret'), false, 'the secret is not printed');
    }
  } finally {
    await gateway.close();
  }
});

test('the discovery check says in one line why it got no answer: silence, a closed connection, TLS to a plain HTTP server', async () => {
  const server = await startRecordingServer((req) => (req.url.endsWith('/silent/callback/ws/endpoint') ? { never: true } : { destroy: true }));
  const base = server.url.replace('/webhook/event', '');
  // A short deadline only for the server that never answers (it fails however fast the machine is); the others get
  // 20 s, so that a busy machine's late turn of the event loop cannot turn their answer into a timeout.
  const reason = async (domain: string, timeoutMs = 20_000): Promise<string> => {
    const error = await checkDiscovery(domain, APP_ID, 's', timeoutMs).then(() => undefined, (e: unknown) => e as Error);
    assert.ok(error, `${domain}: no error`);
    assert.doesNotMatch(error.message, /\n/);
    return error.message;
  };
  try {
    assert.equal(await reason(`${base}/silent`, 300), `cannot reach ${base}/silent: no answer`);
    assert.equal(await reason(base), `cannot reach ${base}: the connection was closed`);
    const tls = base.replace('http:', 'https:');
    assert.equal(await reason(tls), `cannot reach ${tls}: the TLS handshake failed: wrong version number`);
    assert.deepEqual(
      server.received.map((r) => [r.method, r.url, r.headers['content-type'], JSON.parse(r.body)]),
      [
        ['POST', '/silent/callback/ws/endpoint', 'application/json', { AppID: APP_ID, AppSecret: 's' }],
        ['POST', '/callback/ws/endpoint', 'application/json', { AppID: APP_ID, AppSecret: 's' }],
      ],
    );
  } finally {
    await server.close();
  }
});

// No other test of this file loads the SDK in this process (V8 would then find its compiled code in memory).
test('tail loads the SDK with the build\'s code cache when one fits, and as require() does when none does', async () => {
  const require = createRequire(import.meta.url);
  const file = require.resolve('@larksuiteoapi/node-sdk');
  assert.equal(require.cache[file], undefined, 'nothing in this process loaded the SDK before');
  const { dir, cleanup } = await tempDir();
  const works = (sdk: typeof import('@larksuiteoapi/node-sdk')): void => {
    assert.equal(typeof new sdk.EventDispatcher({}).register({}).invoke, 'function');
    assert.equal(require('@larksuiteoapi/node-sdk'), sdk, 'the module require() gives, from then on');
    delete require.cache[file];
  };
  // The V8 flags this process has set (an in-process replay sets some): what a cache must have been made under.
  const flags = [...v8FlagsSet()].sort().join(' ');
  try {
    // The build's caches: this node, this SDK file, one with no flags and one with the terminal UI's.
    const bytes = await readFile(file);
    const built = JSON.parse(await readFile(join(SDK_CODE_CACHE_DIR, 'manifest.json'), 'utf8')) as { node: string; bytes: number; crc32: number; caches: Record<string, string> };
    assert.deepEqual([built.node, built.bytes, built.crc32], [process.version, bytes.length, crc32(bytes)]);
    assert.deepEqual(Object.keys(built.caches), ['', '--heap-growing-percent=50 --semi-space-growth-factor=1']);

    // A cache made under other V8 flags is refused by V8: the SDK is compiled as without one. (Before anything in this
    // process compiles the SDK: V8 would find the compiled code in memory and not look at the cache.)
    const otherFlags = Object.keys(built.caches).find((key) => key !== flags) as string;
    await copyFile(join(SDK_CODE_CACHE_DIR, built.caches[otherFlags] as string), join(dir, 'other-flags.cache'));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...built, caches: { [flags]: 'other-flags.cache' } }));
    const refused = await loadSdkWith(dir);
    assert.equal(refused.how, 'cache refused');
    works(refused.sdk);

    // Made for this process's flags: used.
    writeSdkCodeCaches(dir, [flags === '' ? [] : flags.split(' ')], () => undefined);
    const fits = await loadSdkWith(dir);
    assert.equal(fits.how, 'code cache');
    assert.equal((await loadSdkWith(dir)).how, 'already loaded');
    works(fits.sdk);

    // Another SDK file (upgraded, patched): its bytes differ from the manifest's, so require().
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { crc32: number };
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, crc32: (manifest.crc32 + 1) >>> 0 }));
    const stale = await loadSdkWith(dir);
    assert.equal(stale.how, 'require');
    works(stale.sdk);

  } finally {
    await cleanup();
  }
});

test('--max-events 1: tail acks the last event before it leaves, so the push is acked with 200 and not pushed again', async () => {
  const gateway = await startGateway(SLOW_MACHINE);
  const tail = startTail(['--domain', gateway.domain, '--json', '--max-events', '1']);
  try {
    await waitUntil(() => /^ready app=/m.test(tail.stderr()), 'the ready line');
    const r = await runInProcess(['replay', '--gateway', gateway.domain, 'hire.eco_exam.created_v1', '--json', '--timeout', '20000']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const delivery = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Json).find((l) => l.type === 'delivery');
    assert.equal(delivery?.ack_code, 200);
    assert.equal(await tail.exited, 0);
    assert.deepEqual(tail.lines().map(idOf), [delivery?.event_id]);
  } finally {
    await tail.stop();
    await gateway.close();
  }
});
