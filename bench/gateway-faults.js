#!/usr/bin/env node
// What each node SDK version's WSClient does under the gateway's slow-to-observe faults — too slow for npm test,
// so measured here and written into the README. Each app runs in its own process (tests' ws-app-child).
//
//   npm run build && node bench/gateway-faults.js            # half-open watch of 30 s
//   HALF_OPEN_WATCH_S=120 node bench/gateway-faults.js
//   BENCH_ONLY=half-open node bench/gateway-faults.js   # only the half-open watch
//
// Per version: half-open (does it notice? after how long?), refuse-handshake 403 (does it keep retrying?),
// refuse-endpoint with discovery code 1 and 514 (does it keep retrying, or give up?), a normal close, a handler
// that throws (ack 500 or none?), slow pushes beyond the ack deadline (duplicates?). Prints one line per version and experiment, and a JSON summary at the end.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startGateway } from '../dist/src/gateway/server.js';

const CHILD = fileURLToPath(new URL('../dist/test/helpers/ws-app-child.js', import.meta.url));
const WATCH_MS = Number(process.env.HALF_OPEN_WATCH_S ?? 30) * 1000;
const PING_S = 2;
const VERSIONS = [
  { label: '1.26', pkg: 'lark-sdk-1-26' },
  { label: '1.40', pkg: 'lark-sdk-1-40' },
  { label: '1.60', pkg: 'lark-sdk-1-60' },
  { label: '1.74', pkg: '@larksuiteoapi/node-sdk' },
  // Each ping re-arms 1.74's watchdog: it can only fire when pingTimeout is shorter than PingInterval.
  { label: '1.74 wsConfig.pingTimeout 1', pkg: '@larksuiteoapi/node-sdk', pingTimeout: 1 },
  { label: '1.74 wsConfig.pingTimeout 3', pkg: '@larksuiteoapi/node-sdk', pingTimeout: 3 },
];

function startChild(pkg, domain, pingTimeout) {
  const child = spawn(process.execPath, [CHILD, pkg, domain, ...(pingTimeout !== undefined ? [String(pingTimeout)] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = [];
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) if (line.trim() !== '') lines.push(JSON.parse(line));
  });
  return { lines, kill: () => child.kill('SIGKILL') };
}

async function until(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 50));
  }
}

let serial = 0;
const envelope = () => ({
  schema: '2.0',
  header: { event_id: `bench-${++serial}`, event_type: 'im.message.receive_v1', create_time: String(Date.now()), token: '', app_id: 'cli_a1b2c3d4e5f60718', tenant_key: 't' },
  event: { message: { message_id: `om_${serial}`, chat_id: 'oc_1', message_type: 'text', content: '{"text":"hi"}' } },
});

async function withApp(version, gatewayOptions, run) {
  const events = [];
  const gateway = await startGateway({
    ackTimeoutMs: 1000,
    maxRedeliveries: 4,
    clientConfig: { PingInterval: PING_S, ReconnectCount: -1, ReconnectInterval: 0.2, ReconnectNonce: 0 },
    onEvent: (e) => events.push(e),
    ...gatewayOptions,
  });
  const app = startChild(version.pkg, gateway.domain, version.pingTimeout);
  try {
    if (!(await gateway.waitForClient(20_000))) return { error: 'never connected' };
    return await run(gateway, app, events);
  } finally {
    app.kill();
    await gateway.close();
  }
}

async function halfOpen(version) {
  return withApp(version, {}, async (gateway) => {
    const [record] = await gateway.fault({ kind: 'half-open' });
    const seen = await until(() => gateway.faults().find((f) => f.id === record.id && f.noticed_ms !== null), WATCH_MS);
    if (!seen) return { noticed: false, watched_s: WATCH_MS / 1000 };
    const back = await until(() => gateway.faults().find((f) => f.id === record.id && f.reconnected_ms !== null), 10_000);
    return { noticed: true, noticed_ms: seen.noticed_ms, noticed_by: seen.noticed_by, reconnected_ms: back?.reconnected_ms ?? null };
  });
}

async function refuseHandshake403(version) {
  return withApp(version, {}, async (gateway) => {
    const [record] = await gateway.fault({ kind: 'refuse-handshake', status: 403, count: 3 });
    await gateway.fault({ kind: 'drop' });
    const back = await until(() => gateway.faults().find((f) => f.id === record.id && f.reconnected_ms !== null), 15_000);
    return back ? { reconnected: true, refused: back.refused, reconnected_ms: back.reconnected_ms } : { reconnected: false, refused: gateway.faults().find((f) => f.id === record.id)?.refused };
  });
}

async function refuseEndpointCode(version, code) {
  return withApp(version, {}, async (gateway, app) => {
    const [record] = await gateway.fault({ kind: 'refuse-endpoint', count: 2, how: 'code', code });
    await gateway.fault({ kind: 'drop' });
    const back = await until(() => gateway.faults().find((f) => f.id === record.id && f.reconnected_ms !== null), 10_000);
    const refused = gateway.faults().find((f) => f.id === record.id)?.refused;
    const onError = app.lines.find((l) => l.state === 'error');
    return back ? { reconnected: true, refused, reconnected_ms: back.reconnected_ms } : { reconnected: false, refused, on_error: onError?.message ?? null };
  });
}

async function closeNormally(version) {
  return withApp(version, {}, async (gateway) => {
    const [record] = await gateway.fault({ kind: 'close' });
    const back = await until(() => gateway.faults().find((f) => f.id === record.id && f.reconnected_ms !== null), 10_000);
    return back ? { reconnected: true, reconnected_ms: back.reconnected_ms, noticed_by: back.noticed_by } : { reconnected: false };
  });
}

async function throwingHandler(version) {
  return withApp(version, { ackTimeoutMs: 300, maxRedeliveries: 2 }, async (gateway, app) => {
    const env = envelope();
    env.header.event_id = `throw-${env.header.event_id}`;
    void gateway.push(env, { timeoutMs: 1 });
    const done = await until(() => {
      const r = gateway.pushes().find((p) => p.event_id === env.header.event_id);
      return r && r.state !== 'pending' ? r : undefined;
    }, 10_000);
    return { state: done?.state, pushes: done?.pushes, ack_codes: done?.acks.map((a) => a.code), unhandled_rejections: app.lines.filter((l) => l.unhandled !== undefined).length };
  });
}

async function slowBeyondDeadline(version) {
  return withApp(version, { ackTimeoutMs: 500 }, async (gateway, app) => {
    await gateway.fault({ kind: 'slow', ms: 800 });
    const env = envelope();
    const result = await gateway.push(env, { timeoutMs: 10_000 });
    await until(() => gateway.pushes().find((p) => p.event_id === env.header.event_id)?.state === 'acked', 5_000);
    await new Promise((r) => setTimeout(r, 1500));
    const record = gateway.pushes().find((p) => p.event_id === env.header.event_id);
    return { pushes: record?.pushes, handler_calls: app.lines.filter((l) => l.got === env.header.event_id).length, first_ack_ms: result.ack_ms ?? null };
  });
}

const results = {};
await Promise.all(
  VERSIONS.map(async (version) => {
    const r = {};
    r.half_open = await halfOpen(version);
    console.log(`${version.label.padEnd(28)} half-open            ${JSON.stringify(r.half_open)}`);
    if (version.pingTimeout === undefined && process.env.BENCH_ONLY !== 'half-open') {
      r.refuse_handshake_403 = await refuseHandshake403(version);
      console.log(`${version.label.padEnd(28)} refuse-handshake 403 ${JSON.stringify(r.refuse_handshake_403)}`);
      r.refuse_endpoint_code_1 = await refuseEndpointCode(version, 1);
      console.log(`${version.label.padEnd(28)} discovery code 1     ${JSON.stringify(r.refuse_endpoint_code_1)}`);
      r.refuse_endpoint_code_514 = await refuseEndpointCode(version, 514);
      console.log(`${version.label.padEnd(28)} discovery code 514   ${JSON.stringify(r.refuse_endpoint_code_514)}`);
      r.close = await closeNormally(version);
      console.log(`${version.label.padEnd(28)} close                ${JSON.stringify(r.close)}`);
      r.throwing_handler = await throwingHandler(version);
      console.log(`${version.label.padEnd(28)} handler throws       ${JSON.stringify(r.throwing_handler)}`);
      r.slow_800_deadline_500 = await slowBeyondDeadline(version);
      console.log(`${version.label.padEnd(28)} slow 800 > deadline  ${JSON.stringify(r.slow_800_deadline_500)}`);
    }
    results[version.label] = r;
  }),
);
console.log(JSON.stringify({ ping_interval_s: PING_S, half_open_watch_s: WATCH_MS / 1000, node: process.version, results }, null, 2));
