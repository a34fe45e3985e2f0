// The gateway's logic without sockets: discovery answers, client picking, the push/ack/re-push life cycle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createClientRegistry, type ConnectedClient } from '../../src/gateway/clients.js';
import { checkDiscovery, connectUrl, discoveryFailure, discoverySuccess } from '../../src/gateway/discovery.js';
import { createPushTracker } from '../../src/gateway/pushes.js';
import { NoClientError, type GatewayEvent } from '../../src/gateway/types.js';
import { outcomeOfPush } from '../../src/delivery/gateway-transport.js';
import { decodeFrame, encodeFrame, getHeader, PLATFORM_CLIENT_CONFIG, withHeader, type Frame } from '../../src/protocol/frame.js';

type FakeClient = ConnectedClient & { frames: Frame[] };

function fakeClient(id: string): FakeClient {
  const frames: Frame[] = [];
  return {
    id,
    appId: 'cli_0123456789abcdef',
    remote: '127.0.0.1:1',
    serviceId: 77,
    connectedAt: new Date(),
    pushes: 0,
    acks: 0,
    pings: 0,
    halfOpen: false,
    slowMs: 0,
    frames,
    send(encoded) {
      for (const bytes of encoded) frames.push(decodeFrame(bytes));
      return true;
    },
  };
}

function ackOf(frame: Frame, code: number): Frame {
  return { ...withHeader(frame, 'biz_rt', '-4'), payload: new TextEncoder().encode(JSON.stringify({ code })) };
}

const envelope = (n: number): Record<string, unknown> => ({ schema: '2.0', header: { event_id: `e${n}`, event_type: 'hire.eco_exam.created_v1' }, event: { n, text: 'x'.repeat(100) } });

test('discovery: any well-formed credentials pass unless the gateway has its own; failures are code 514 with a data object', () => {
  assert.deepEqual(checkDiscovery({ AppID: 'cli_x', AppSecret: 's' }, {}), { ok: true, appId: 'cli_x' });
  assert.equal(checkDiscovery({ AppID: 'cli_x', ClientAssertion: 'jwt' }, {}).ok, true);
  for (const body of [undefined, {}, { AppID: '' , AppSecret: 's' }, { AppID: 'cli_x' }, { AppID: 5, AppSecret: 's' }]) {
    const check = checkDiscovery(body, {});
    assert.equal(check.ok, false, JSON.stringify(body));
    assert.equal(!check.ok && check.code, 514);
  }
  const expected = { appId: 'cli_a', appSecret: 'right' };
  assert.equal(checkDiscovery({ AppID: 'cli_a', AppSecret: 'right' }, expected).ok, true);
  assert.equal(checkDiscovery({ AppID: 'cli_a', AppSecret: 'wrong' }, expected).ok, false);
  assert.equal(checkDiscovery({ AppID: 'cli_b', AppSecret: 'right' }, expected).ok, false);
  assert.equal(checkDiscovery({ AppID: 'cli_a', ClientAssertion: 'jwt' }, expected).ok, false, 'an assertion cannot stand in for a configured secret');
  // The node SDK destructures `data` whatever the code: it must be an object.
  assert.deepEqual(discoveryFailure(514, 'auth failed'), { code: 514, msg: 'auth failed', data: {} });
  assert.deepEqual(discoverySuccess('ws://x', PLATFORM_CLIENT_CONFIG).data.ClientConfig, PLATFORM_CLIENT_CONFIG);
});

test('discovery URL: node SDK-style qs.parse of the whole URL finds device_id and service_id', () => {
  const require = createRequire(import.meta.url);
  const sdkRequire = createRequire(require.resolve('@larksuiteoapi/node-sdk'));
  const qs = sdkRequire('qs') as { parse(text: string): Record<string, unknown> };
  const url = connectUrl('ws://127.0.0.1:9/ws', { deviceId: 'dev1', serviceId: 4242, ticket: 't/+&' });
  const parsed = qs.parse(url);
  assert.equal(parsed.device_id, 'dev1');
  assert.equal(parsed.service_id, '4242');
  assert.equal(new URL(url).searchParams.get('ticket'), 't/+&');
});

test('client picking: round-robin takes turns; random uses the random source; none when empty', () => {
  const registry = createClientRegistry('round-robin');
  assert.equal(registry.pick(), undefined);
  for (const id of ['a', 'b', 'c']) registry.add(fakeClient(id));
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => registry.pick()?.id), ['a', 'b', 'c', 'a', 'b', 'c']);
  registry.remove('b');
  assert.deepEqual([1, 2, 3, 4].map(() => registry.pick()?.id).sort(), ['a', 'a', 'c', 'c']);
  const values = [0.99, 0.0, 0.5];
  const random = createClientRegistry('random', () => values.shift() ?? 0);
  for (const id of ['a', 'b', 'c']) random.add(fakeClient(id));
  assert.deepEqual([1, 2, 3].map(() => random.pick()?.id), ['c', 'a', 'b']);
});

test('waitForClient: true once a client connects, false on timeout or abort', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const registry = createClientRegistry();
  const waiting = registry.waitForClient(5000);
  registry.add(fakeClient('a'));
  assert.equal(await waiting, true);
  const empty = createClientRegistry();
  const timedOut = empty.waitForClient(5000);
  t.mock.timers.tick(5000);
  assert.equal(await timedOut, false);
  const controller = new AbortController();
  const aborted = empty.waitForClient(5000, controller.signal);
  controller.abort();
  assert.equal(await aborted, false);
});

test('push → ack: one client gets the frames, the ack ends the push with its code and client', async () => {
  const events: GatewayEvent[] = [];
  const clients = createClientRegistry();
  const a = fakeClient('a');
  const b = fakeClient('b');
  clients.add(a);
  clients.add(b);
  const tracker = createPushTracker({ clients, ackTimeoutMs: 3000, redeliver: true, maxRedeliveries: 4, historyLimit: 10, emit: (e) => events.push(e), fragmentSize: 64 });
  const first = tracker.push(envelope(1));
  assert.equal(b.frames.length, 0, 'cluster mode: one client only');
  assert.ok(a.frames.length > 1, 'split into fragments');
  const last = a.frames.at(-1) as Frame;
  tracker.onAck(a, decodeFrame(encodeFrame(ackOf(last, 200))));
  const result = await first;
  assert.equal(result.acked, true);
  assert.equal(result.ack_code, 200);
  assert.equal(result.client, 'a');
  assert.equal(result.handler_ms, 4);
  assert.equal(result.fragments, a.frames.length);
  assert.equal(result.redelivered, 0);
  assert.equal(result.event_id, 'e1');
  const framesToA = a.frames.length;
  const second = tracker.push(envelope(2));
  assert.ok(b.frames.length > 1, 'the next event goes to the next client');
  assert.equal(a.frames.length, framesToA, 'and not to the first one');
  tracker.onAck(b, ackOf(b.frames.at(-1) as Frame, 500));
  const rejected = await second;
  assert.equal(rejected.ack_code, 500, 'the first ack answers the caller, whatever its code');
  assert.equal(rejected.state, 'pending', 'but only code 200 ends the event');
  assert.deepEqual(events.filter((e) => e.type === 'ack').map((e) => e.type === 'ack' && [e.client, e.code]), [['a', 200], ['b', 500]]);
  assert.deepEqual(tracker.records().map((r) => r.state), ['acked', 'pending']);
  assert.deepEqual(tracker.inFlight('b'), [rejected.message_id]);
  assert.deepEqual(tracker.inFlight('a'), []);
  tracker.close();
});

test('an ack whose code is not 200 is handled like a missing ack: re-pushed at the deadline, counted, then failed', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const events: GatewayEvent[] = [];
  const clients = createClientRegistry();
  const a = fakeClient('a');
  clients.add(a);
  const tracker = createPushTracker({ clients, ackTimeoutMs: 1000, redeliver: true, maxRedeliveries: 2, historyLimit: 10, emit: (e) => events.push(e) });
  const pending = tracker.push(envelope(1), { timeoutMs: 100_000 });
  for (let i = 0; i < 3; i++) {
    tracker.onAck(a, ackOf(a.frames.at(-1) as Frame, 500));
    assert.equal(a.frames.length, i + 1, 'no re-push before the deadline');
    t.mock.timers.tick(1000);
  }
  assert.equal(a.frames.length, 3, 'the push and --repush 2 re-pushes');
  const pushes = events.filter((e) => e.type === 'push');
  assert.deepEqual(pushes.map((e) => e.type === 'push' && e.reason), [false, 'acked with code 500', 'acked with code 500'].map((r) => r || undefined));
  assert.ok(pushes.every((e) => e.type === 'push' && e.event_id === 'e1'), 'same event_id every time');
  const result = await pending;
  assert.equal(result.ack_code, 500);
  const record = tracker.records()[0];
  assert.equal(record?.state, 'failed');
  assert.equal(record?.ack_count, 3);
  assert.equal(record?.redelivered, 2);
  const expired = events.find((e) => e.type === 'expired');
  assert.ok(expired?.type === 'expired' && expired.last_code === 500);
  // A 200 on a later push ends it as acked.
  const second = tracker.push(envelope(2), { timeoutMs: 100_000 });
  tracker.onAck(a, ackOf(a.frames.at(-1) as Frame, 500));
  const answered = await second;
  assert.equal(answered.ack_code, 500);
  t.mock.timers.tick(1000);
  tracker.onAck(a, ackOf(a.frames.at(-1) as Frame, 200));
  const acked = tracker.record(answered.message_id);
  assert.equal(acked?.state, 'acked');
  assert.equal(acked?.ack_code, 200);
  assert.equal(acked?.pushes, 2);
  tracker.close();
});

test('once a client has connected, events due while none is connected wait and go out when one is back', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const events: GatewayEvent[] = [];
  const clients = createClientRegistry();
  const a = fakeClient('a');
  const tracker = createPushTracker({ clients, ackTimeoutMs: 1000, redeliver: true, maxRedeliveries: 1, historyLimit: 10, emit: (e) => events.push(e) });
  clients.add(a);
  tracker.onClientAvailable();
  const inFlight = tracker.push(envelope(1), { timeoutMs: 100_000 });
  clients.remove('a');
  const waiting = tracker.push(envelope(2), { timeoutMs: 100_000 });
  t.mock.timers.tick(5000);
  assert.deepEqual(events.filter((e) => e.type === 'held').map((e) => e.type === 'held' && e.event_id), ['e2', 'e1']);
  assert.equal(events.filter((e) => e.type === 'expired').length, 0, 'waiting is not a re-push');
  assert.equal(tracker.inFlight().length, 2);
  const b = fakeClient('b');
  clients.add(b);
  tracker.onClientAvailable();
  assert.deepEqual(b.frames.map((f) => JSON.parse(new TextDecoder().decode(f.payload)).header.event_id), ['e2', 'e1'], 'in the order they waited');
  for (const frame of b.frames) tracker.onAck(b, ackOf(frame, 200));
  const [first, second] = [await inFlight, await waiting];
  assert.equal(first.state, 'acked');
  assert.equal(first.pushes, 2, 'the lost push and its re-push');
  assert.equal(second.pushes, 1);
  assert.deepEqual(second.clients, ['b']);
  assert.equal(tracker.records().find((r) => r.event_id === 'e2')?.attempts[0]?.reason, 'waited for a client');
  tracker.close();
});

test('no ack in time: re-pushed with the same message_id and new SeqIDs, at most maxRedeliveries times; a late ack is recorded', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const events: GatewayEvent[] = [];
  const clients = createClientRegistry();
  const a = fakeClient('a');
  clients.add(a);
  const tracker = createPushTracker({ clients, ackTimeoutMs: 3000, redeliver: true, maxRedeliveries: 2, historyLimit: 10, emit: (e) => events.push(e) });
  const pending = tracker.push(envelope(1), { timeoutMs: 100_000 });
  t.mock.timers.tick(3000);
  t.mock.timers.tick(3000);
  t.mock.timers.tick(3000);
  t.mock.timers.tick(3000);
  assert.equal(a.frames.length, 3, 'the push and two re-pushes, then no more');
  assert.equal(new Set(a.frames.map((f) => getHeader(f, 'message_id'))).size, 1, 'same message_id');
  assert.equal(new Set(a.frames.map((f) => f.seqId)).size, 3, 'fresh SeqIDs');
  assert.equal(new Set(a.frames.map((f) => new TextDecoder().decode(f.payload))).size, 1, 'same payload');
  assert.deepEqual(events.filter((e) => e.type === 'push').map((e) => e.type === 'push' && e.attempt), [1, 2, 3]);
  assert.equal(events.filter((e) => e.type === 'expired').length, 1);
  assert.equal(tracker.records()[0]?.state, 'expired');
  // The ack of the second push arrives after all: recorded as late, and it answers the caller still waiting.
  tracker.onAck(a, ackOf(a.frames[1] as Frame, 200));
  const ack = events.find((e) => e.type === 'ack');
  assert.ok(ack && ack.type === 'ack');
  assert.equal(ack.late, true);
  assert.equal(ack.attempt, 2);
  const result = await pending;
  assert.equal(result.acked, true);
  assert.equal(result.late, true);
  assert.equal(result.state, 'expired');
  assert.equal(result.redelivered, 2);
  tracker.close();
});

test('no redelivery: one push, then expired; the caller gets its answer at its own deadline', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const events: GatewayEvent[] = [];
  const clients = createClientRegistry();
  const a = fakeClient('a');
  clients.add(a);
  const tracker = createPushTracker({ clients, ackTimeoutMs: 3000, redeliver: false, maxRedeliveries: 4, historyLimit: 10, emit: (e) => events.push(e) });
  const pending = tracker.push(envelope(1), { timeoutMs: 1000 });
  t.mock.timers.tick(1000);
  const early = await pending;
  assert.equal(early.acked, false);
  assert.equal(early.state, 'pending');
  t.mock.timers.tick(10_000);
  assert.equal(a.frames.length, 1);
  assert.equal(tracker.records()[0]?.state, 'expired');
  tracker.close();
});

test('acks that match nothing, and data frames that are not acks, are reported, not thrown', () => {
  const events: GatewayEvent[] = [];
  const clients = createClientRegistry();
  const a = fakeClient('a');
  clients.add(a);
  const tracker = createPushTracker({ clients, ackTimeoutMs: 3000, redeliver: true, maxRedeliveries: 4, historyLimit: 10, emit: (e) => events.push(e) });
  const stray: Frame = { seqId: 999, logId: 0, service: 0, method: 1, headers: [{ key: 'message_id', value: 'nope' }], payload: new TextEncoder().encode('{"code":200}') };
  tracker.onAck(a, stray);
  tracker.onAck(a, { ...stray, payload: new TextEncoder().encode('hello') });
  assert.deepEqual(events.map((e) => e.type), ['frame_error', 'frame_error']);
  tracker.close();
});

test('push when no client has ever connected throws NoClientError; a bad fragment size is a RangeError', async () => {
  const tracker = createPushTracker({ clients: createClientRegistry(), ackTimeoutMs: 3000, redeliver: true, maxRedeliveries: 4, historyLimit: 10, emit: () => {} });
  await assert.rejects(tracker.push(envelope(1)), NoClientError);
  await assert.rejects(tracker.push(envelope(1), { fragmentSize: 0 }), RangeError);
  assert.throws(() => createPushTracker({ clients: createClientRegistry(), ackTimeoutMs: 1, redeliver: true, maxRedeliveries: 1, historyLimit: 1, emit: () => {}, fragmentSize: -3 }), RangeError);
});

test('replay --gateway outcome: ok only for ack code 200 in time; 500, late and no ack fail with a hint; re-pushes make a note', () => {
  const base = { message_id: 'm', clients: ['client-1'], client: 'client-1', pushes: 1, ack_count: 1, redelivered: 0, fragments: 2, bytes: 100, total_ms: 5, state: 'acked' as const };
  const ok = outcomeOfPush({ ...base, acked: true, ack_code: 200, ack_ms: 5 }, 't', 3000);
  assert.equal(ok.ok, true);
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.details, { client: 'client-1', message_id: 'm', ack_code: 200, ack_ms: 5, fragments: 2, bytes: 100, redelivered: 0 });
  const failed = outcomeOfPush({ ...base, acked: true, ack_code: 500, ack_ms: 5 }, 't', 3000);
  assert.equal(failed.ok, false);
  assert.equal(failed.status, 500);
  assert.match(failed.hint ?? '', /handler threw/);
  const silent = outcomeOfPush({ ...base, acked: false, pushes: 2, redelivered: 1, state: 'pending' }, 't', 3000);
  assert.equal(silent.ok, false);
  assert.equal(silent.error, 'no ack within 3000 ms');
  assert.match(silent.hint ?? '', /re-pushed it 1 time;/);
  const slow = outcomeOfPush({ ...base, acked: true, ack_code: 200, ack_ms: 10, pushes: 3, redelivered: 2, clients: ['client-1', 'client-2', 'client-1'] }, 't', 9000);
  assert.equal(slow.ok, true);
  assert.match(slow.note ?? '', /re-pushed it 2 times/);
  assert.deepEqual(slow.details?.clients, ['client-1', 'client-2', 'client-1']);
  const unhandled = outcomeOfPush({ ...base, acked: true, ack_code: 200, ack_data: 'no t event handle' }, 't', 3000);
  assert.match(unhandled.note ?? '', /no handler registered for t/);
  const late = outcomeOfPush({ ...base, acked: true, ack_code: 200, ack_ms: 3400, total_ms: 3400 }, 't', 3000, 3001);
  assert.equal(late.verdict, 'late');
  assert.equal(late.ok, false);
  assert.equal(late.judgedAtMs, 3001);
  assert.match(late.error ?? '', /acked 200 after 3400 ms, past the 3000 ms deadline/);
  assert.equal(silent.verdict, 'no-answer');
  assert.equal(failed.verdict, 'wrong-status');
  const waiting = outcomeOfPush({ ...base, acked: false, ack_count: 0, pushes: 0, clients: [], state: 'pending', held: true }, 't', 3000);
  assert.equal(waiting.ok, false);
  assert.equal(waiting.error, 'no client was connected within 3000 ms');
  assert.match(waiting.hint ?? '', /pushes it as soon as a client connects again/);
});
