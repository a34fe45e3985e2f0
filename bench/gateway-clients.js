#!/usr/bin/env node
// The gateway's push rate with 1 client connected against 100 clients, the same events in both: each run starts a
// gateway in this process and a child process of minimal long-connection clients (ws and the project's own pbbp2
// codec: endpoint discovery, a ping, then an ack of code 200 for every push, as the SDK's WSClient does). Runs
// alternate 1 client / 100 clients; the ratio is the median of the pairwise ratios of the rates (target ≥ 0.85×).
// Beside it: the gateway's CPU time per push (this process: the gateway only) and the clients' (the child's, which it
// reports over its stdin before and after the timed pushes), which say where a gap comes from: both processes share
// the machine's cores. A real fleet of 100 apps runs in 100 processes, most often on other machines; here one
// process reads 100 sockets, and the per-socket cost it pays (a read and a WebSocket parse per push, against dozens
// of acks per read with one client) is part of the 100-client figure whenever the cores are busy.
// Usage: npm run bench:gateway -- [--events 20000] [--clients 100] [--in-flight 100] [--runs 5]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeMachine, fmtRatio, median, pairwiseRatio, root, writeResults } from './lib.js';

const args = { events: 20_000, clients: 100, inFlight: 100, runs: 5, warmup: 2_000 };
const argv = process.argv.slice(2);
if (argv[0] === '--serve-clients') {
  await serveClients(argv[1], Number(argv[2]));
} else {
  for (let i = 0; i < argv.length; i++) {
    const key = { '--events': 'events', '--clients': 'clients', '--in-flight': 'inFlight', '--runs': 'runs', '--warmup': 'warmup' }[argv[i]];
    if (key === undefined || !(Number(argv[i + 1]) > 0)) throw new Error(`unknown argument ${argv[i]} (see the usage at the top of bench/gateway-clients.js)`);
    args[key] = Number(argv[++i]);
  }
  await main();
}

/** The child: `count` clients of the gateway at `domain`, each acking every push; "ready" once all have pinged. */
async function serveClients(domain, count) {
  const { WebSocket } = await import('ws');
  const { ackFrame, decodeFrame, encodeFrame, FrameMethod, pingFrame } = await import('../dist/src/protocol/frame.js');
  const ack = { code: 200 };
  const open = async () => {
    const res = await fetch(`${domain}/callback/ws/endpoint`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ AppID: 'cli_a1b2c3d4e5f60718', AppSecret: 'bench' }),
    });
    const answer = await res.json();
    if (answer.code !== 0) throw new Error(`discovery answered ${JSON.stringify(answer)}`);
    const url = new URL(answer.data.URL);
    const service = Number(url.searchParams.get('service_id'));
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data) => {
      const frame = decodeFrame(data);
      if (frame.method === FrameMethod.data) ws.send(encodeFrame(ackFrame(frame, ack, 0)));
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    // The gateway pushes to a client from its first ping on, as to the SDK's WSClient.
    ws.send(encodeFrame(pingFrame(service)));
    return ws;
  };
  const sockets = [];
  for (let i = 0; i < count; i++) sockets.push(await open());
  process.stdout.write('ready\n');
  // "cpu": this process's CPU time so far (µs, user + system), one line.
  let asked = '';
  process.stdin.setEncoding('utf8').on('data', (text) => {
    asked += text;
    for (let at = asked.indexOf('\n'); at !== -1; at = asked.indexOf('\n')) {
      const line = asked.slice(0, at);
      asked = asked.slice(at + 1);
      if (line === 'cpu') {
        const used = process.cpuUsage();
        process.stdout.write(`cpu ${used.user + used.system}\n`);
      }
    }
  });
  process.stdin.on('end', () => {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  });
}

/** One run: a fresh gateway, `clients` clients, warm-up pushes, then `events` pushes with `inFlight` at a time. */
async function run(clients, envelope, startGateway) {
  const gateway = await startGateway({ ackTimeoutMs: 60_000, redeliver: false });
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--serve-clients', gateway.domain, String(clients)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  // The child's lines: "ready" once, then one "cpu <µs>" per question.
  const answers = [];
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (d) => {
    text += d;
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n')) {
      answers.shift()?.(text.slice(0, at));
      text = text.slice(at + 1);
    }
  });
  const nextLine = () =>
    new Promise((resolve, reject) => {
      answers.push(resolve);
      child.once('exit', (code) => reject(new Error(`the clients' process exited with ${code}`)));
    });
  const childCpuUs = async () => {
    const answer = nextLine();
    child.stdin.write('cpu\n');
    return Number((await answer).split(' ')[1]);
  };
  await nextLine();
  // Every client has pinged once its ping's pong is counted: wait until the gateway has seen them all.
  while (gateway.clients().filter((c) => c.pings > 0).length < clients) await new Promise((r) => setImmediate(r));
  const pushAll = async (n) => {
    let next = 0;
    let acked = 0;
    await Promise.all(
      Array.from({ length: Math.min(args.inFlight, n) }, async () => {
        while (next < n) {
          next++;
          const result = await gateway.push(envelope, { timeoutMs: 60_000 });
          if (result.ack_code === 200) acked++;
        }
      }),
    );
    if (acked !== n) throw new Error(`${clients} client(s): ${acked} of ${n} pushes acked`);
  };
  await pushAll(args.warmup);
  const childBefore = await childCpuUs();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await pushAll(args.events);
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const childUsed = (await childCpuUs()) - childBefore;
  const perClient = gateway.clients().map((c) => c.pushes);
  child.stdin.end();
  await exited;
  await gateway.close();
  return { rate: (args.events / ms) * 1000, ms, cpuUsPerPush: (used.user + used.system) / args.events, clientsCpuUsPerPush: childUsed / args.events, fewest: Math.min(...perClient), most: Math.max(...perClient) };
}

async function main() {
  const { startGateway } = await import('../dist/src/gateway/server.js');
  const { prepareEnvelope } = await import('../dist/src/protocol/envelope.js');
  const envelope = prepareEnvelope(JSON.parse(readFileSync(join(root, 'samples', 'im.message.receive_v1', 'doc.json'), 'utf8')));
  const bytes = Buffer.byteLength(JSON.stringify(envelope));
  const one = [];
  const many = [];
  for (let i = 0; i < args.runs; i++) {
    process.stderr.write(`  run ${i + 1}/${args.runs}${i + 1 === args.runs ? '\n' : '\r'}`);
    one.push(await run(1, envelope, startGateway));
    many.push(await run(args.clients, envelope, startGateway));
  }
  const ratio = pairwiseRatio(many.map((r) => r.rate), one.map((r) => r.rate));
  // The rate a gateway that is the bottleneck would reach, from its CPU per push alone: steadier on a busy machine.
  const cpuRatio = pairwiseRatio(one.map((r) => r.cpuUsPerPush), many.map((r) => r.cpuUsPerPush));
  const line = (label, runs) =>
    `  ${label.padEnd(14)} ${median(runs.map((r) => r.rate)).toFixed(0).padStart(7)} pushes/s   gateway CPU ${median(runs.map((r) => r.cpuUsPerPush)).toFixed(1).padStart(5)} µs/push   clients' CPU ${median(runs.map((r) => r.clientsCpuUsPerPush)).toFixed(1).padStart(5)} µs/push`;
  console.log(`feishu-events gateway: push rate by clients connected — ${describeMachine()}`);
  console.log(
    `${args.events} pushes of a ${bytes}-byte event (im.message.receive_v1) per run after ${args.warmup} warm-up, ${args.inFlight} in flight, each acked with code 200; ${args.runs} runs alternated; ratio = median of the pairwise ratios (target ≥ 0.85×)`,
  );
  console.log(line('1 client', one));
  console.log(line(`${args.clients} clients`, many));
  console.log(`  ${args.clients} clients / 1 client: ${fmtRatio(ratio)} the rate, ${fmtRatio(cpuRatio)} by the gateway's CPU per push (each client got ${many.at(-1).fewest}–${many.at(-1).most} pushes)`);
  const previous = writeResults('gateway-clients', { ...args, bytes, ratio, cpuRatio, one, many });
  if (previous?.ratio !== undefined) console.log(`last run: ${fmtRatio(previous.ratio)} (${previous.clients} clients)`);
}
