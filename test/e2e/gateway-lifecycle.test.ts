// The gateway's edges: credentials, no client, restarts, usage errors, the control API, shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startGateway } from '../../src/gateway/server.js';
import type { GatewayEvent } from '../../src/gateway/types.js';
import { startCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { freePort, startRecordingServer } from '../helpers/servers.js';
import { APP_ID, restartGatewayProcess, startGatewayProcess, startWsApp, waitUntil, type Json } from '../helpers/gateway.js';

const SECRET = 'gateway-test-secret-5f3c';
const JSON_HEADERS = { 'content-type': 'application/json' };

test('--app-id/--app-secret: other credentials get code 514 and the WSClient gives up; the right ones connect', async () => {
  const gateway = await startGatewayProcess(['--app-id', APP_ID, '--app-secret', SECRET]);
  const wrong = startWsApp(gateway.domain, { appSecret: 'not-the-secret' });
  const right = startWsApp(gateway.domain, { appSecret: SECRET });
  try {
    await waitUntil(() => wrong.errors.length > 0, 'the WSClient with the wrong secret to fail');
    assert.match(String(wrong.errors[0]?.message), /code=514/);
    assert.deepEqual(wrong.states, ['error'], 'a fatal error: no retries, never ready');
    await right.ready;
    const refused = await gateway.waitForEvent((e) => e.type === 'discovery' && e.ok === false, 'the refused discovery in the log');
    assert.equal(refused.code, 514);
    await gateway.waitForEvent((e) => e.type === 'connected', 'the right app in the log');
    assert.equal(gateway.events.filter((e) => e.type === 'connected').length, 1, 'only the right app connected');
    const discovery = await fetch(`${gateway.domain}/callback/ws/endpoint`, { method: 'POST', body: JSON.stringify({ AppID: 'cli_0000000000000000', AppSecret: SECRET }) });
    assert.equal(discovery.status, 200, 'the platform answers errors with HTTP 200');
    assert.deepEqual(await discovery.json(), { code: 514, msg: 'auth failed: unknown AppID', data: {} });
  } finally {
    wrong.close();
    right.close();
    await gateway.stop();
  }
  assert.equal(gateway.stdout().includes(SECRET), false, 'the secret is never printed');
  assert.equal(gateway.stderr().includes(SECRET), false);
});

test('discovery answers as the platform does, and dials without its ticket are refused', async () => {
  const gateway = await startGatewayProcess(['--ping-interval', '7', '--reconnect-interval', '3', '--reconnect-nonce', '0']);
  try {
    const response = await fetch(`${gateway.domain}/callback/ws/endpoint`, {
      method: 'POST',
      headers: { locale: 'zh', 'content-type': 'application/json' },
      body: JSON.stringify({ AppID: APP_ID, AppSecret: 's' }),
    });
    const answer = (await response.json()) as { code: number; msg: string; data: { URL: string; ClientConfig: Json } };
    assert.equal(answer.code, 0);
    assert.deepEqual(answer.data.ClientConfig, { PingInterval: 7, ReconnectCount: -1, ReconnectInterval: 3, ReconnectNonce: 0 });
    const url = new URL(answer.data.URL);
    assert.equal(url.protocol, 'ws:');
    assert.equal(url.host, new URL(gateway.domain).host);
    assert.notEqual([...url.searchParams.keys()][0], 'device_id', 'device_id is not the first parameter (qs.parse)');
    assert.ok(url.searchParams.get('device_id'));
    assert.match(String(url.searchParams.get('service_id')), /^\d+$/);
    const refused = await new Promise<{ status?: number; handshake?: string | string[] }>((resolve, reject) => {
      const socket = new WebSocket(`${gateway.domain.replace('http', 'ws')}/ws?fpid=1&ticket=forged`);
      socket.on('unexpected-response', (_req, res) => {
        resolve({ status: res.statusCode, handshake: res.headers['handshake-status'] });
        socket.terminate();
      });
      socket.on('open', () => reject(new Error('a forged ticket was accepted')));
      socket.on('error', () => {});
    });
    // Handshake-Status 514 without an auth error code: the Go and Python SDKs run discovery again (403 would stop them for good).
    assert.deepEqual(refused, { status: 401, handshake: '514' });
    const dialed = await new Promise<boolean>((resolve) => {
      const socket = new WebSocket(answer.data.URL);
      socket.on('open', () => {
        socket.close();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    assert.equal(dialed, true, 'the URL discovery answered can be dialed');
    await gateway.waitForEvent((e) => e.type === 'rejected', 'the refused dial in the log');
  } finally {
    await gateway.stop();
  }
});

test('replay --gateway with no client connected: waits --wait-client, then fails clearly with exit 1', async () => {
  const gateway = await startGatewayProcess();
  try {
    const r = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--gateway', gateway.domain, '--wait-client', '300']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /waiting up to 300ms for a WSClient/);
    assert.ok(r.stderr.includes(`feishu-events: no WSClient is connected to ${gateway.domain}\n`), r.stderr);
    assert.ok(r.stderr.includes(`hint: start your app with WSClient({ domain: '${gateway.domain}' })`), r.stderr);
    assert.equal(gateway.events.some((e) => e.type === 'push'), false, 'nothing was pushed');
  } finally {
    await gateway.stop();
  }
});

test('replay --gateway waiting for a client: SIGINT ends the wait at once, nothing is sent, exit 130', async () => {
  const gateway = await startGatewayProcess();
  try {
    const replay = startCli(['replay', 'hire.eco_exam.created_v1', '--gateway', gateway.domain, '--wait-client', '60s']);
    await waitUntil(() => /waiting up to 1m for a WSClient/.test(replay.stderr()), 'replay to wait for a client');
    replay.kill('SIGINT');
    const r = await replay.done;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /feishu-events: interrupted by SIGINT while waiting for a WSClient: nothing was sent\n/);
    assert.doesNotMatch(r.stderr, /\n\s+at |internal error|cannot reach/);
    assert.equal(gateway.events.some((e) => e.type === 'push'), false, 'nothing was pushed');
    assert.equal(await gateway.stop('SIGTERM'), 0, 'the gateway was still up, and stops cleanly');
  } finally {
    await gateway.stop();
  }
});

test('replay --gateway waits for a client that connects late', async () => {
  const gateway = await startGatewayProcess();
  const replay = startCli(['replay', 'hire.eco_exam.created_v1', '--gateway', gateway.domain, '--wait-client', '30000', '--json']);
  // The app starts only once replay has said it is waiting (and so has found nobody connected).
  await waitUntil(() => /waiting up to 30s for a WSClient/.test(replay.stderr()), 'replay to wait for a client', 30_000);
  const app = startWsApp(gateway.domain);
  try {
    const r = await replay.done;
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /waiting up to 30s for a WSClient/);
    assert.equal(app.got.length, 1);
  } finally {
    app.close();
    await gateway.stop();
  }
});

test('replay --gateway at something that is not a gateway: exit 1 when nothing listens, exit 2 for another server', async () => {
  const port = await freePort();
  const down = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--gateway', `http://127.0.0.1:${port}`]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /cannot reach the gateway at http:\/\/127\.0\.0\.1:\d+ \(connection refused\)/);
  const other = await startRecordingServer(() => ({ status: 404, body: 'nope' }));
  try {
    const r = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--gateway', other.url.replace('/webhook/event', '')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is not a feishu-events gateway/);
  } finally {
    await other.close();
  }
});

test('a gateway restarted on the same port: the WSClient reconnects and events flow again', async () => {
  const options = ['--reconnect-interval', '1', '--reconnect-nonce', '0'];
  // A port of its own choosing: one picked beforehand and let go may be taken meanwhile by another test's connection.
  const first = await startGatewayProcess(['--port', '0', ...options]);
  const app = startWsApp(first.domain);
  let second;
  try {
    await app.ready;
    assert.equal(await first.stop('SIGTERM'), 0, 'SIGTERM stops the gateway cleanly');
    assert.ok(first.events.some((e) => e.type === 'closed'), first.stdout());
    await waitUntil(() => app.states.includes('reconnecting'), 'the WSClient to notice');
    second = await restartGatewayProcess(first.port, options);
    assert.equal(second.domain, first.domain);
    await waitUntil(() => app.states.includes('reconnected'), 'the WSClient to reconnect', 20_000);
    const r = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--gateway', second.domain, '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(app.got.length, 1);
    assert.ok(second.events.some((e) => e.type === 'discovery' && e.ok === true), 'the SDK ran discovery again before dialing');
  } finally {
    app.close();
    await first.stop();
    await second?.stop();
  }
});

test('usage errors exit 2 with one line: bad port, bad host, fragment size < 1, bad durations, port in use', async () => {
  for (const args of [
    ['--port', '70000'],
    ['--port', 'abc'],
    ['--host', 'not a host!'],
    ['--fragment-size', '0'],
    ['--ack-timeout', 'soon'],
    ['--ping-interval', '0'],
    ['--pick', 'everyone'],
  ]) {
    const r = await runInProcess(['gateway', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^feishu-events: .+\n(  hint: .+\n)?$/, args.join(' '));
    assert.equal(r.stdout, '');
  }
  const gateway = await startGatewayProcess();
  try {
    const r = await runInProcess(['gateway', '--port', String(gateway.port)]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /already in use/);
  } finally {
    await gateway.stop();
  }
});

test('the library: control API routes, push without a client (503), bad bodies (400), close() ends everything', async () => {
  const events: GatewayEvent[] = [];
  const gateway = await startGateway({ ackTimeoutMs: 500, onEvent: (e) => events.push(e) });
  const api = `${gateway.domain}/_feishu-events/`;
  try {
    const info = (await (await fetch(api)).json()) as Json;
    assert.equal(info.name, 'feishu-events gateway');
    assert.equal(info.domain, gateway.domain);
    assert.equal(info.ack_timeout_ms, 500);
    assert.deepEqual(await (await fetch(`${api}clients`)).json(), { clients: [] });
    const noClient = await fetch(`${api}push`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ envelope: { schema: '2.0', header: {}, event: {} } }) });
    assert.equal(noClient.status, 503);
    assert.equal(((await noClient.json()) as Json).error, 'no_client');
    for (const body of ['not json', '[]', '{"envelope":3}', '{"envelope":{},"fragment_size":0}']) {
      const r = await fetch(`${api}push`, { method: 'POST', headers: JSON_HEADERS, body });
      assert.equal(r.status, 400, body);
    }
    assert.equal((await fetch(`${api}nothing`)).status, 404);
    assert.equal((await fetch(`${api}push`)).status, 405);

    const app = startWsApp(gateway.domain);
    try {
      await app.ready;
      const [client] = gateway.clients();
      assert.equal(client?.id, 'client-1');
      const result = await gateway.push({ schema: '2.0', header: { event_id: 'lib-1', event_type: 'hire.eco_exam.created_v1' }, event: { x: 1 } }, { fragmentSize: 10 });
      assert.equal(result.ack_code, 200);
      assert.equal(result.client, 'client-1');
      assert.ok(result.fragments > 1);
      assert.equal(app.got[0]?.data.x, 1);
      // A long poll answers at once when a client is there.
      const polled = (await (await fetch(`${api}clients?wait=60000`)).json()) as { clients: Json[] };
      assert.equal(polled.clients.length, 1);
    } finally {
      await gateway.close();
      app.close();
    }
    assert.ok(events.some((e) => e.type === 'disconnected'), 'close() closed the client connection');
    assert.equal(events.at(-1)?.type, 'closed');
    await assert.rejects(fetch(api), 'nothing listens any more');
  } finally {
    await gateway.close();
  }
});
