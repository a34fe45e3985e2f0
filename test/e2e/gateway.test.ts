// replay --gateway through a running `feishu-events gateway` to apps built on the official WSClient.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, DOCUMENTED_SPECS, documentedSamples } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { startGatewayProcess, startWsApp, waitUntil, type Json, type Received } from '../helpers/gateway.js';
import { startGateway } from '../../src/gateway/server.js';

/** Where the deadline is not the point: room for a busy machine (replay runs in this process, beside the apps). */
const ROOM = ['--timeout', '20000'];

const jsonLines = (text: string): Json[] => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);
const deliveriesOf = (stdout: string): Json[] => jsonLines(stdout).filter((l) => l.type === 'delivery');
const summaryOf = (stdout: string): Json => jsonLines(stdout).at(-1) as Json;

/** Every delivery reached a handler once, with every field of its sample's `event` intact. */
function expectDelivered(deliveries: Json[], got: Received[]): void {
  assert.equal(got.length, deliveries.length, 'each delivery ran a handler exactly once');
  for (const d of deliveries) {
    const match = got.filter((g) => g.data.event_id === d.event_id);
    assert.equal(match.length, 1, `${String(d.source)} reached one handler once`);
    const received = match[0] as Received;
    const sample = JSON.parse(readFileSync(join(root, 'samples', `${String(d.source)}.json`), 'utf8')) as { header: Json; event: Json };
    assert.equal(received.type, d.event_type);
    for (const [key, value] of Object.entries(sample.event)) assert.deepEqual(received.data[key], value, `${String(d.source)}: event.${key}`);
  }
}

test('every bundled sample reaches the WSClient handlers through replay --gateway; the gateway records each ack', async () => {
  const gateway = await startGatewayProcess();
  const app = startWsApp(gateway.domain);
  try {
    await app.ready;
    const r = await runInProcess(['replay', ...DOCUMENTED_SPECS, '--gateway', gateway.domain, '--json', ...ROOM]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const deliveries = deliveriesOf(r.stdout);
    assert.equal(deliveries.length, documentedSamples().length);
    for (const d of deliveries) {
      assert.equal(d.ok, true);
      assert.equal(d.status, 200);
      assert.equal(d.ack_code, 200);
      assert.equal(d.client, 'client-1');
      assert.equal(typeof d.ack_ms, 'number');
      assert.equal(d.fragments, 1);
      assert.equal(d.redelivered, 0);
    }
    assert.equal(summaryOf(r.stdout).delivered, documentedSamples().length);
    expectDelivered(deliveries, app.got);

    const acks = await waitUntil(() => {
      const found = gateway.events.filter((e) => e.type === 'ack');
      return found.length === deliveries.length && found;
    }, 'the gateway to log every ack');
    assert.deepEqual(new Set(acks.map((a) => a.code)), new Set([200]));
    assert.deepEqual(new Set(acks.map((a) => a.event_id)), new Set(deliveries.map((d) => d.event_id)));
    const recorded = (await (await fetch(`${gateway.domain}/_feishu-events/pushes`)).json()) as { pushes: Json[] };
    assert.equal(recorded.pushes.length, deliveries.length);
    for (const push of recorded.pushes) {
      assert.equal(push.state, 'acked');
      assert.equal((push.acks as Json[])[0]?.client, 'client-1');
    }
    const connected = gateway.events.find((e) => e.type === 'connected');
    assert.equal(connected?.app_id, 'cli_a1b2c3d4e5f60718');
    assert.ok(gateway.events.some((e) => e.type === 'ping'), 'the client pinged and got its pong');
  } finally {
    app.close();
    assert.equal(await gateway.stop(), 0);
  }
});

test('--fragment-size 64: every sample arrives split into fragments and is reassembled intact', async () => {
  // The gateway in this process (the library's), with room for a busy machine: it shares its event loop with the
  // apps and replay, and a late turn of the loop must not become a re-push.
  const gateway = await startGateway({ fragmentSize: 64, ackTimeoutMs: 20_000 });
  const app = startWsApp(gateway.domain);
  try {
    await app.ready;
    const r = await runInProcess(['replay', ...DOCUMENTED_SPECS, '--gateway', gateway.domain, '--json', ...ROOM]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const deliveries = deliveriesOf(r.stdout);
    assert.equal(deliveries.length, documentedSamples().length);
    for (const d of deliveries) {
      assert.equal(d.ack_code, 200);
      assert.ok(Number(d.fragments) > 1, `${String(d.source)} was split`);
      assert.equal(d.fragments, Math.ceil(Number(d.bytes) / 64));
    }
    expectDelivered(deliveries, app.got);
  } finally {
    app.close();
    await gateway.close();
  }
});

test('cluster mode: with two apps connected each event goes to exactly one of them, and both get some', async () => {
  const gateway = await startGateway({ ackTimeoutMs: 20_000 });
  const one = startWsApp(gateway.domain);
  const two = startWsApp(gateway.domain);
  try {
    await Promise.all([one.ready, two.ready]);
    const r = await runInProcess(['replay', ...DOCUMENTED_SPECS, '--gateway', gateway.domain, '--json', ...ROOM]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const deliveries = deliveriesOf(r.stdout);
    expectDelivered(deliveries, [...one.got, ...two.got]);
    assert.ok(one.got.length > 0 && two.got.length > 0, `round-robin shares the events (${one.got.length} / ${two.got.length})`);
    assert.deepEqual(new Set(deliveries.map((d) => d.client)), new Set(['client-1', 'client-2']));
    const ids = (app: { got: Received[] }): Set<unknown> => new Set(app.got.map((g) => g.data.event_id));
    for (const id of ids(one)) assert.equal(ids(two).has(id), false, 'no event went to both');
  } finally {
    one.close();
    two.close();
    await gateway.close();
  }
});

test('a handler that throws: the SDK acks 500, replay reports it as a failure (exit 1), the log shows it', async () => {
  // No re-push: the 500 ack is the subject here, and on a busy machine the 3 s ack deadline can pass before the
  // handler count is read, which re-pushed the event and ran the handler twice.
  const gateway = await startGatewayProcess(['--no-redeliver'], { json: false });
  const app = startWsApp(gateway.domain, {
    handler: () => {
      throw new Error('handler failed on purpose');
    },
  });
  try {
    await app.ready;
    const r = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--gateway', gateway.domain, '--json']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const [d] = deliveriesOf(r.stdout);
    assert.equal(d?.ok, false);
    assert.equal(d?.status, 500);
    assert.equal(d?.ack_code, 500);
    assert.equal(d?.error, 'ack code 500');
    assert.match(String(d?.hint), /handler threw/);
    assert.equal(app.got.length, 1, 'the handler ran');
    const pretty = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--gateway', gateway.domain]);
    assert.equal(pretty.code, 1);
    assert.match(pretty.stdout, /✗ 500 .*hire\.eco_exam\.created_v1 .*→ client-1/);
    await waitUntil(() => /client-1 {2}ack 500 in/.test(gateway.stderr()), 'the ack in the live log');
    assert.match(gateway.stdout(), /^http:\/\/127\.0\.0\.1:\d+\n$/, 'stdout holds the domain line only');
  } finally {
    app.close();
    await gateway.stop();
  }
});

test('a handler slower than the ack deadline: the gateway re-pushes the event, and replay reports it', async () => {
  const gateway = await startGatewayProcess(['--ack-timeout', '200']);
  let calls = 0;
  const app = startWsApp(gateway.domain, {
    // Slower than the deadline, whatever the machine's speed: the first run answers only once the gateway has pushed again.
    handler: async () => {
      calls++;
      if (calls === 1) await gateway.waitForEvent((e) => e.type === 'push' && e.attempt === 2, 'the re-push', 30_000);
    },
  });
  try {
    await app.ready;
    const r = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--gateway', gateway.domain, '--timeout', '20000', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const [d] = deliveriesOf(r.stdout);
    assert.equal(d?.ack_code, 200);
    assert.ok(Number(d?.redelivered) >= 1, `re-pushed (${String(d?.redelivered)})`);
    assert.match(String(d?.note), /re-pushed it \d+ times?/);
    const repush = await gateway.waitForEvent((e) => e.type === 'push' && e.attempt === 2, 'a re-push in the log');
    assert.equal(repush.reason, 'no ack within 200 ms');
    assert.equal(repush.event_id, d?.event_id, 'the same event');
    assert.ok(calls >= 2, 'the handler ran again for the re-push');
    assert.equal(new Set(app.got.map((g) => g.data.event_id)).size, 1, 'every run saw the same event_id');
  } finally {
    app.close();
    await gateway.stop();
  }
});

test('--no-redeliver: a slow handler is pushed once; its late ack is still recorded', async () => {
  const gateway = await startGatewayProcess(['--ack-timeout', '200', '--no-redeliver']);
  // The handler answers only once the gateway has given up waiting for it (and, told not to, pushes nothing more).
  const app = startWsApp(gateway.domain, {
    handler: async () => {
      await gateway.waitForEvent((e) => e.type === 'expired', 'the ack deadline to pass', 30_000);
    },
  });
  try {
    await app.ready;
    const r = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--gateway', gateway.domain, '--timeout', '20000', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const [d] = deliveriesOf(r.stdout);
    assert.equal(d?.ack_code, 200);
    assert.equal(d?.redelivered, 0);
    assert.match(String(d?.note), /after the gateway's ack deadline/);
    assert.equal(app.got.length, 1);
    const ack = await gateway.waitForEvent((e) => e.type === 'ack', 'the ack');
    assert.equal(ack.late, true);
    assert.ok(gateway.events.some((e) => e.type === 'expired' && e.redeliver === false));
    assert.equal(gateway.events.filter((e) => e.type === 'push').length, 1);
  } finally {
    app.close();
    await gateway.stop();
  }
});
