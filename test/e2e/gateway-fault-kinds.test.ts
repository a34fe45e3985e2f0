// Fault words, and the faults no SDK test covers, against a bare WebSocket client: half-open, slow, close,
// refuse-handshake, clear; the control API's answers for faults; the log lines.
// It needs no process of its own: it shares a test process with other such files (scripts/run-tests.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { Chalk } from 'chalk';
import { FaultSpecError, formatFaultSpec, parseFaultSpec } from '../../src/gateway/fault-spec.js';
import { formatGatewayEvent } from '../../src/report/gateway-log.js';
import { startGateway } from '../../src/gateway/server.js';
import type { GatewayEvent } from '../../src/gateway/types.js';
import { decodeFrame, encodeFrame, getHeader, pingFrame } from '../../src/protocol/frame.js';
import { waitUntil } from '../helpers/gateway.js';

test('fault words: spaces or colons, defaults, and one-line errors', () => {
  assert.deepEqual(parseFaultSpec('refuse-endpoint:3'), { kind: 'refuse-endpoint', count: 3, how: 'mixed', code: 1000040343 });
  assert.deepEqual(parseFaultSpec(['refuse-endpoint', '2', 'code=514']), { kind: 'refuse-endpoint', count: 2, how: 'code', code: 514 });
  assert.deepEqual(parseFaultSpec('refuse-handshake 403'), { kind: 'refuse-handshake', status: 403, count: 1 });
  assert.deepEqual(parseFaultSpec('restart'), { kind: 'restart', pauseMs: 1000 });
  assert.deepEqual(parseFaultSpec(' slow : 250 '), { kind: 'slow', ms: 250 });
  assert.equal(formatFaultSpec(parseFaultSpec('refuse-endpoint:2:code=1')), 'refuse-endpoint 2 code=1');
  for (const [input, message] of [
    ['melt', /unknown fault "melt"/],
    ['', /no fault given/],
    ['drop now', /drop takes no arguments/],
    ['refuse-endpoint', /refuse-endpoint <n> must be a whole number, got nothing/],
    ['refuse-endpoint 2 sometimes', /how must be mixed, 5xx, code, code=<n> or reset/],
    ['refuse-handshake 200', /between 400 and 599/],
    ['slow -5', /slow <ms> must be a whole number/],
  ] as const) {
    assert.throws(() => parseFaultSpec(input), (error: Error) => error instanceof FaultSpecError && message.test(error.message), input);
  }
});

interface Raw {
  ws: WebSocket;
  frames: ReturnType<typeof decodeFrame>[];
  closed: Promise<number>;
}

async function dial(domain: string): Promise<Raw> {
  const answer = (await (await fetch(`${domain}/callback/ws/endpoint`, { method: 'POST', body: JSON.stringify({ AppID: 'cli_a1b2c3d4e5f60718', AppSecret: 's' }) })).json()) as { data: { URL: string } };
  const ws = new WebSocket(answer.data.URL);
  const frames: Raw['frames'] = [];
  ws.on('message', (data) => frames.push(decodeFrame(new Uint8Array(data as Buffer))));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, frames, closed };
}

const envelope = (id: string): Record<string, unknown> => ({ schema: '2.0', header: { event_id: id, event_type: 'im.message.receive_v1' }, event: {} });

test('half-open, slow, close, refuse-handshake and clear, as a bare client sees them; the control API and the log', async () => {
  const events: GatewayEvent[] = [];
  const gateway = await startGateway({ ackTimeoutMs: 60_000, onEvent: (e) => events.push(e) });
  try {
    // half-open: no pong, no push; the client closing is what "noticed" means.
    const a = await dial(gateway.domain);
    await gateway.waitForClient(5000);
    const [halfOpen] = await gateway.fault({ kind: 'half-open' });
    assert.equal(gateway.clients()[0]?.half_open, true);
    a.ws.send(encodeFrame(pingFrame(1)));
    const held = gateway.push(envelope('e-held'), { timeoutMs: 60_000 });
    await waitUntil(() => events.some((e) => e.type === 'held'), 'the event to wait: a half-open client takes no pushes');
    const b = await dial(gateway.domain);
    await waitUntil(() => b.frames.length > 0, 'the waiting event pushed to the next client');
    assert.equal(getHeader(b.frames[0] as never, 'type'), 'event');
    assert.equal(a.frames.length, 0, 'no pong, no event for the half-open client');
    a.ws.close();
    const noticed = await waitUntil(() => gateway.faults().find((f) => f.id === halfOpen?.id && f.noticed_ms !== null), 'half-open noticed');
    assert.equal(noticed.noticed_by, 'closed the connection');
    b.ws.send(encodeFrame({ ...(b.frames[0] as ReturnType<typeof decodeFrame>), payload: new TextEncoder().encode('{"code":200}') }));
    assert.equal((await held).acked, true);

    // slow: pongs wait; the report counts them.
    const [slow] = await gateway.fault({ kind: 'slow', ms: 30 });
    b.ws.send(encodeFrame(pingFrame(1)));
    await waitUntil(() => b.frames.some((f) => getHeader(f, 'type') === 'pong'), 'the delayed pong');
    assert.equal(gateway.faults().find((f) => f.id === slow?.id)?.delayed, 1);
    await gateway.fault({ kind: 'clear' });
    assert.equal(gateway.faults().find((f) => f.id === slow?.id)?.state, 'cleared');
    assert.equal(gateway.clients()[0]?.slow_ms, 0);

    // refuse-handshake: the status asked for, in both places the SDKs look.
    await gateway.fault({ kind: 'refuse-handshake', status: 403, count: 1 });
    const answer = (await (await fetch(`${gateway.domain}/callback/ws/endpoint`, { method: 'POST', body: JSON.stringify({ AppID: 'cli_a1b2c3d4e5f60718', AppSecret: 's' }) })).json()) as { data: { URL: string } };
    const refused = await new Promise<{ status?: number; handshake?: unknown }>((resolve) => {
      const ws = new WebSocket(answer.data.URL);
      ws.on('unexpected-response', (_req, res) => {
        resolve({ status: res.statusCode, handshake: res.headers['handshake-status'] });
        ws.terminate();
      });
      ws.on('error', () => {});
    });
    assert.deepEqual(refused, { status: 403, handshake: '403' });

    // close: a normal close frame.
    await gateway.fault({ kind: 'close' });
    assert.equal(await b.closed, 1000);

    // The control API: a fault that does not parse is 400; one that cannot be done now is 409.
    const post = (body: unknown): Promise<Response> => fetch(`${gateway.domain}/_feishu-events/fault`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await post({ fault: 'melt' })).status, 400);
    const none = await post({ fault: 'drop' });
    assert.equal(none.status, 409);
    assert.match(((await none.json()) as { message: string }).message, /no client is connected/);
    const ok = await post({ fault: ['refuse-endpoint', '1', 'reset'] });
    assert.equal(ok.status, 200);
    assert.equal((((await ok.json()) as { faults: { spec: string }[] }).faults[0])?.spec, 'refuse-endpoint 1 reset');
    const report = (await (await fetch(`${gateway.domain}/_feishu-events/faults`)).json()) as { faults: unknown[] };
    assert.equal(report.faults.length, gateway.faults().length);

    // Every new event type has a log line.
    const c = new Chalk({ level: 0 });
    for (const type of ['held', 'fault', 'refused', 'fault_report']) {
      const event = events.find((e) => e.type === type);
      assert.ok(event, type);
      assert.ok((formatGatewayEvent(event, c) ?? '').length > 10, type);
    }
  } finally {
    await gateway.close();
  }
  const last = events.at(-2);
  assert.equal(last?.type, 'resilience', 'the report is logged at close');
});
