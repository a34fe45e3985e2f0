// Faults from the command line: `gateway --fault` at start, `gateway fault …` and `gateway report` against a running
// gateway, and `replay --gateway … --fault-every` ending with the resilience report. The app is the pinned SDK.
// It needs no process of its own: it shares a test process with other such files (scripts/run-tests.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, startCli, type RunResult } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { startGatewayProcess, startWsApp, waitUntil, type Json } from '../helpers/gateway.js';

/** The quick commands run in this process: spawning each costs more than it tests. */
const cli = (args: string[], env: Record<string, string> = {}): Promise<RunResult> => runInProcess(args, { env });

const TYPES = ['hire.eco_exam.created_v1', 'hire.application.deleted_v1', 'hire.offer.status_changed_v1', 'hire.eco_account.created_v1'];

test('gateway --fault, gateway fault / report, replay --fault-every: faults from the command line and the report at the end', async () => {
  // The first client is dropped as soon as it connects: the app must come back by itself.
  const gateway = await startGatewayProcess(['--reconnect-nonce', '0', '--reconnect-interval', '1', '--ack-timeout', '1500', '--repush', '2', '--fault', 'drop']);
  const app = startWsApp(gateway.domain);
  try {
    await gateway.waitForEvent((e) => e.type === 'fault' && e.kind === 'drop', 'the start-up drop');
    await gateway.waitForEvent((e) => e.type === 'connected' && e.client === 'client-2', 'the app back as client-2');

    const replay = await runCli(['replay', ...TYPES, '--gateway', gateway.domain, '--fault-every', '2:drop', '--timeout', '10000', '--json'], { timeoutMs: 60_000 });
    assert.equal(replay.code, 0, replay.stdout + replay.stderr);
    const lines = replay.stdout.trim().split('\n').map((l) => JSON.parse(l) as Json);
    const resilience = lines.at(-1) as Json;
    assert.equal(resilience.type, 'resilience');
    assert.equal(resilience.unacked, 0);
    // Its own drop after delivery 2 (none after the last one), not the start-up fault: the report is this run's.
    assert.equal(resilience.faults, 1);
    assert.equal(typeof resilience.every_event_acked_once, 'boolean');
    const drops = (resilience.records as Json[]).filter((r) => r.kind === 'drop');
    assert.ok(drops.every((r) => r.new_client !== null), 'the app reconnected after every drop');
    assert.equal(lines.filter((l) => l.type === 'delivery').length, TYPES.length);

    // gateway fault / report against the running gateway.
    const clients = (await (await fetch(`${gateway.domain}/_feishu-events/clients`)).json()) as { clients: Json[] };
    const client = clients.clients[0]?.id as string;
    const slow = await cli(['gateway', 'fault', 'slow', '50', '--client', client, '--gateway', gateway.domain, '--json']);
    assert.equal(slow.code, 0, slow.stderr);
    assert.deepEqual(((JSON.parse(slow.stdout) as { faults: Json[] }).faults[0] as Json).client, client);
    const [report, pretty] = await Promise.all([cli(['gateway', 'report', '--gateway', gateway.domain, '--json']), cli(['gateway', 'report', '--gateway', gateway.domain])]);
    assert.equal(report.code, 0, report.stderr);
    const records = (JSON.parse(report.stdout) as { faults: Json[] }).faults;
    assert.ok(records.some((r) => r.kind === 'slow' && r.state === 'active'));
    assert.match(pretty.stdout, /fault-\d+ slow 50 → client-\d+: delayed \d+/);
    const cleared = await cli(['gateway', 'fault', 'clear', '--gateway', gateway.domain]);
    assert.equal(cleared.code, 0, cleared.stderr);

    // Usage and refusals, side by side.
    const [unknown, nobody, wide, noGateway, badStart, badEvery] = await Promise.all([
      cli(['gateway', 'fault', 'melt', '--gateway', gateway.domain]),
      cli(['gateway', 'fault', 'drop', '--client', 'client-99', '--gateway', gateway.domain]),
      cli(['gateway', 'fault', 'refuse-endpoint', '2', '--client', client, '--gateway', gateway.domain]),
      cli(['gateway', 'fault', 'drop']),
      cli(['gateway', '--fault', 'restart']),
      cli(['replay', 'hire.eco_exam.created_v1', '--fault-every', '2:drop']),
    ]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown fault "melt"/);
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /no client client-99 is connected/);
    assert.equal(wide.code, 1);
    assert.match(wide.stderr, /acts on the gateway as a whole/);
    assert.equal(noGateway.code, 2);
    assert.match(noGateway.stderr, /which gateway\?/);
    assert.equal(badStart.code, 2);
    assert.match(badStart.stderr, /only a running gateway can restart/);
    assert.equal(badEvery.code, 2);
    assert.match(badEvery.stderr, /--fault-every needs --gateway/);
  } finally {
    app.close();
    await gateway.stop();
  }
  // At stop, the log ends with the whole report.
  const last = await waitUntil(() => gateway.events.find((e) => e.type === 'resilience'), 'the resilience report at stop');
  assert.ok((last.faults as Json[]).length >= 3);
});

test('replay --fault-every interrupted while it waits for the events around a fault: no resilience report, exit 130', { timeout: 60_000 }, async () => {
  // After the half-open fault the app gets no pushes (and, pinging every 120 s, notices late): the events after it
  // stay pending, and replay waits for them before it reports.
  const gateway = await startGatewayProcess(['--ack-timeout', '1000']);
  const app = startWsApp(gateway.domain);
  try {
    await app.ready;
    const replay = startCli(['replay', ...TYPES.slice(0, 3), '--gateway', gateway.domain, '--fault-every', '2:half-open', '--timeout', '1000', '--json']);
    await waitUntil(() => /"type":"summary"/.test(replay.stdout()), 'the deliveries done, the report awaited');
    replay.kill('SIGINT');
    const r = await replay.done;
    assert.equal(r.code, 130, r.stderr);
    assert.ok(r.stderr.includes(`feishu-events: interrupted by SIGINT: no resilience report (the gateway may still re-push events around the faults; \`feishu-events gateway report --gateway ${gateway.domain}\` shows them)\n`), r.stderr);
    assert.doesNotMatch(r.stdout, /"type":"resilience"/);
  } finally {
    app.close();
    await gateway.stop();
  }
});
