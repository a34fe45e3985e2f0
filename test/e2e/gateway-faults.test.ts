// Official WSClient apps (node SDK 1.26, 1.40 and the pinned version, each in its own process) against the gateway's
// faults: drop, restart and refuse-endpoint — they reconnect and every event pushed meanwhile is acked; a handler
// that throws gets its event re-pushed --repush times; the resilience report shows each. Short deadlines and
// reconnect intervals (handed out in ClientConfig) keep it fast; every wait is for an event, never for time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startGateway } from '../../src/gateway/server.js';
import type { Gateway, GatewayEvent, PushRecord } from '../../src/gateway/types.js';
import { waitUntil } from '../helpers/gateway.js';

const CHILD = fileURLToPath(new URL('../helpers/ws-app-child.js', import.meta.url));
const REPUSH = 2;
const VERSIONS = [
  { label: 'node SDK 1.26', pkg: 'lark-sdk-1-26' },
  { label: 'node SDK 1.40', pkg: 'lark-sdk-1-40' },
  { label: 'node SDK 1.74 (pinned)', pkg: '@larksuiteoapi/node-sdk' },
];

interface ChildApp {
  lines: Record<string, unknown>[];
  calls(eventId: string): number;
  kill(): void;
}

function startChild(pkg: string, domain: string): ChildApp {
  const child = spawn(process.execPath, [CHILD, pkg, domain], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Record<string, unknown>[] = [];
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  const kill = (): void => void child.kill('SIGKILL');
  process.once('exit', kill);
  return { lines, calls: (id) => lines.filter((l) => l.got === id).length, kill };
}

let serial = 0;
function envelope(prefix = 'e'): Record<string, unknown> {
  const id = `${prefix}-${process.pid}-${++serial}`;
  return {
    schema: '2.0',
    header: { event_id: id, event_type: 'im.message.receive_v1', create_time: String(Date.now()), token: '', app_id: 'cli_a1b2c3d4e5f60718', tenant_key: 't' },
    event: { message: { message_id: `om_${serial}`, chat_id: 'oc_1', message_type: 'text', content: '{"text":"hi"}' } },
  };
}

const idOf = (env: Record<string, unknown>): string => (env.header as { event_id: string }).event_id;

/** Push and come back at once: the gateway keeps the event until it is acked. */
function pushAll(gateway: Gateway, count: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const env = envelope();
    ids.push(idOf(env));
    void gateway.push(env, { timeoutMs: 1 });
  }
  return ids;
}

function recordOf(gateway: Gateway, eventId: string): PushRecord | undefined {
  return gateway.pushes().find((p) => p.event_id === eventId);
}

async function allAcked(gateway: Gateway, ids: string[], what: string): Promise<void> {
  await waitUntil(() => ids.every((id) => recordOf(gateway, id)?.state === 'acked'), `${what}: every event acked`, 30_000);
}

async function scenario(pkg: string): Promise<void> {
  const events: GatewayEvent[] = [];
  const gateway = await startGateway({
    // Long enough that a busy machine's slow first ack is not taken for a missing one (that would push it again).
    ackTimeoutMs: 1500,
    maxRedeliveries: REPUSH,
    // Fractions of a second: the node SDKs multiply by 1000 and take them as they are.
    clientConfig: { PingInterval: 5, ReconnectCount: -1, ReconnectInterval: 0.1, ReconnectNonce: 0 },
    onEvent: (e) => events.push(e),
  });
  const app = startChild(pkg, gateway.domain);
  try {
    assert.equal(await gateway.waitForClient(20_000), true, `${pkg} connected`);
    const before = pushAll(gateway, 2);
    await allAcked(gateway, before, 'before any fault');

    // drop: the socket goes without a close frame; events pushed meanwhile wait and are pushed after the reconnect.
    const [drop] = await gateway.fault({ kind: 'drop' });
    const duringDrop = pushAll(gateway, 3);
    await allAcked(gateway, duringDrop, 'after drop');
    const dropReport = await waitUntil(() => gateway.faults().find((f) => f.id === drop?.id && f.state === 'recovered'), 'drop recovered');
    assert.equal(dropReport.noticed_by, 'endpoint discovery');
    assert.ok(dropReport.new_client !== null && dropReport.new_client !== dropReport.client);
    assert.ok((dropReport.receiving_ms ?? -1) >= (dropReport.reconnected_ms ?? Infinity));
    for (const id of duringDrop) assert.ok(dropReport.events.some((e) => e.event_id === id && e.acked_ms !== null), `${id} in the drop report, acked`);
    assert.equal(dropReport.unacked, 0);

    // restart: everyone dropped, the port closed for a while, then back on the same port.
    const [restart] = await gateway.fault({ kind: 'restart', pauseMs: 200 });
    await waitUntil(() => events.some((e) => e.type === 'restarting'), 'the restart began');
    const duringRestart = pushAll(gateway, 3);
    await allAcked(gateway, duringRestart, 'after restart');
    const restartReport = await waitUntil(() => gateway.faults().find((f) => f.id === restart?.id && f.state === 'recovered'), 'restart recovered');
    assert.equal(restartReport.unacked, 0);
    assert.ok(restartReport.events.filter((e) => duringRestart.includes(e.event_id ?? '')).length === 3);
    assert.ok(events.some((e) => e.type === 'restarted'));

    // refuse-endpoint 3 (5xx, an error code in the body, a connection reset), then a drop: the app keeps trying.
    const [refusal] = await gateway.fault({ kind: 'refuse-endpoint', count: 3, how: 'mixed', code: 1000040343 });
    await gateway.fault({ kind: 'drop' });
    const duringRefusal = pushAll(gateway, 2);
    await allAcked(gateway, duringRefusal, 'after refuse-endpoint 3');
    const refusalReport = await waitUntil(() => gateway.faults().find((f) => f.id === refusal?.id && f.state === 'recovered'), 'refusals recovered');
    assert.equal(refusalReport.refused, 3);
    assert.deepEqual(
      events.filter((e) => e.type === 'refused').map((e) => e.type === 'refused' && e.how),
      ['5xx', 'code 1000040343', 'reset'],
    );

    // A handler that throws: the event is re-pushed --repush times (same event_id), then given up on.
    const failing = envelope('throw');
    const failingId = idOf(failing);
    void gateway.push(failing, { timeoutMs: 1 });
    const finished = await waitUntil(() => {
      const record = recordOf(gateway, failingId);
      return record !== undefined && record.state !== 'pending' ? record : undefined;
    }, 'the failing event to be given up', 30_000);
    assert.equal(finished.pushes, 1 + REPUSH);
    await waitUntil(() => app.calls(failingId) === 1 + REPUSH, `the handler ran ${1 + REPUSH} times`);
    if (pkg === 'lark-sdk-1-26') {
      // 1.26: no try/catch around the handler — no ack at all, an unhandled rejection in the app.
      assert.equal(finished.state, 'expired');
      assert.equal(finished.acks.length, 0);
      await waitUntil(() => app.lines.filter((l) => l.unhandled !== undefined).length === 1 + REPUSH, 'an unhandled rejection per push');
    } else {
      assert.equal(finished.state, 'failed');
      assert.deepEqual(
        finished.acks.map((a) => a.code),
        Array(1 + REPUSH).fill(500),
      );
    }
    assert.equal(app.calls(idOf({ header: { event_id: before[0] } })), 1, 'events acked with 200 are not pushed again');
  } finally {
    app.kill();
    await gateway.close();
  }
}

test('official WSClient apps reconnect after drop, restart and refuse-endpoint 3; every event is acked; throwing handlers get re-pushes', { concurrency: true }, async (t) => {
  await Promise.all(VERSIONS.map(({ label, pkg }) => t.test(label, () => scenario(pkg))));
});
