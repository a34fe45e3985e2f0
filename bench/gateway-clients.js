#!/usr/bin/env node
// The gateway's push rate with 1 client connected against 100 clients, the same events in both: each run starts a
// gateway in this process and a child process of minimal long-connection clients (ws and the project's own pbbp2
// codec: endpoint discovery, a ping, then an ack of code 200 for every push, as the SDK's WSClient does). Runs
// alternate 1 client / 100 clients; the ratio is the median of the pairwise ratios of the rates (target ≥ 0.85×).
// Beside it: a bare ws server with the same clients and traffic (see bareServer), whose ratio is what the transport
// itself leaves; the server's CPU time per push (this process: the gateway or bare server only), split into user time
// (its JavaScript and node's) and system time (the kernel's: with 100 clients each push is a write and a read of its
// own, and on loopback the write also runs the receiving socket's side); and the clients'
// (the child's, which it reports over its stdin before and after the timed pushes). They say where a gap comes from:
// both processes share the machine's cores. A real fleet of 100 apps runs in 100 processes, most often on other
// machines; here one process reads 100 sockets, and the per-socket cost it pays (a read and a WebSocket parse per
// push, against dozens of acks per read with one client) is part of the 100-client figure whenever the cores are busy.
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

/** The gateway as a run drives it: ready once `clients` have pinged; `pushAll(n)` with `inFlight` at a time. */
async function gatewayServer(startGateway, envelope) {
  const gateway = await startGateway({ ackTimeoutMs: 60_000, redeliver: false });
  return {
    domain: gateway.domain,
    pinged: () => gateway.clients().filter((c) => c.pings > 0).length,
    async pushAll(n) {
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
      return acked;
    },
    perClient: () => gateway.clients().map((c) => c.pushes),
    close: () => gateway.close(),
  };
}

/**
 * The baseline: what the same traffic costs the transport alone. A bare ws server (discovery, pong-less pings) sends
 * one pre-encoded data frame per ack, round robin, with `inFlight` at a time; like the gateway, it handles a turn's
 * messages together and writes a turn's frames to each socket in one write. Its ratio is the ceiling that the per-
 * socket cost (a read, a WebSocket parse and a write per push with 100 clients, against dozens of pushes per read and
 * per write with one) leaves to any server on node and ws.
 */
async function bareServer(frame) {
  const http = await import('node:http');
  const { WebSocketServer } = await import('ws');
  const { decodeFrame, FrameMethod } = await import('../dist/src/protocol/frame.js');
  const server = http.createServer((req, res) => {
    req.resume();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ code: 0, data: { URL: `ws://127.0.0.1:${server.address().port}/ws?service_id=1`, ClientConfig: {} } }));
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
  const peers = [];
  let pinged = 0;
  let turn = 0;
  let target = 0;
  let sent = 0;
  let acked = 0;
  let done = () => {};
  const held = new Set();
  const uncork = () => {
    for (const socket of held) socket.uncork();
    held.clear();
  };
  const sendNext = () => {
    if (sent >= target) return;
    sent++;
    const peer = peers[turn++ % peers.length];
    if (!held.has(peer.socket)) {
      if (held.size === 0) process.nextTick(uncork);
      peer.socket.cork();
      held.add(peer.socket);
    }
    peer.pushes++;
    peer.ws.send(frame);
  };
  let inbox = [];
  const handle = () => {
    const batch = inbox;
    inbox = [];
    for (const data of batch) {
      if (decodeFrame(data).method === FrameMethod.control) pinged++;
      else if (++acked === target) done();
      else sendNext();
    }
  };
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      peers.push({ ws, socket, pushes: 0 });
      ws.on('message', (data) => {
        if (inbox.push(data) === 1) setImmediate(handle);
      });
    }),
  );
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    domain: `http://127.0.0.1:${server.address().port}`,
    pinged: () => pinged,
    pushAll(n) {
      return new Promise((resolve) => {
        target = n;
        sent = 0;
        acked = 0;
        done = () => resolve(acked);
        for (let i = 0; i < Math.min(args.inFlight, n); i++) sendNext();
      });
    },
    perClient: () => peers.map((p) => p.pushes),
    async close() {
      for (const peer of peers) peer.ws.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** One run: a fresh server, `clients` clients, warm-up pushes, then `events` pushes with `inFlight` at a time. */
async function run(clients, start) {
  const gateway = await start();
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
  while (gateway.pinged() < clients) await new Promise((r) => setImmediate(r));
  const pushAll = async (n) => {
    const acked = await gateway.pushAll(n);
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
  const perClient = gateway.perClient();
  child.stdin.end();
  await exited;
  await gateway.close();
  return { rate: (args.events / ms) * 1000, ms, cpuUsPerPush: (used.user + used.system) / args.events, userUsPerPush: used.user / args.events, systemUsPerPush: used.system / args.events, clientsCpuUsPerPush: childUsed / args.events, fewest: Math.min(...perClient), most: Math.max(...perClient) };
}

async function main() {
  const { startGateway } = await import('../dist/src/gateway/server.js');
  const { prepareEnvelope } = await import('../dist/src/protocol/envelope.js');
  const { encodeFrame, eventFrames } = await import('../dist/src/protocol/frame.js');
  const envelope = prepareEnvelope(JSON.parse(readFileSync(join(root, 'samples', 'im.message.receive_v1', 'doc.json'), 'utf8')));
  const payload = Buffer.from(JSON.stringify(envelope));
  const bytes = payload.length;
  // The frame the bare server sends: what the gateway sends for this event, encoded once.
  const frame = encodeFrame(eventFrames({ payload, messageId: 'bench', traceId: 'bench', service: 1, firstSeqId: 1, instanceId: 'bench' })[0]);
  const gateway = () => gatewayServer(startGateway, envelope);
  const bare = () => bareServer(frame);
  const one = [];
  const many = [];
  const bareOne = [];
  const bareMany = [];
  for (let i = 0; i < args.runs; i++) {
    process.stderr.write(`  run ${i + 1}/${args.runs}${i + 1 === args.runs ? '\n' : '\r'}`);
    one.push(await run(1, gateway));
    many.push(await run(args.clients, gateway));
    bareOne.push(await run(1, bare));
    bareMany.push(await run(args.clients, bare));
  }
  const ratio = pairwiseRatio(many.map((r) => r.rate), one.map((r) => r.rate));
  // The rate a gateway that is the bottleneck would reach, from its CPU per push alone: steadier on a busy machine.
  const cpuRatio = pairwiseRatio(one.map((r) => r.cpuUsPerPush), many.map((r) => r.cpuUsPerPush));
  const bareRatio = pairwiseRatio(bareMany.map((r) => r.rate), bareOne.map((r) => r.rate));
  const bareCpuRatio = pairwiseRatio(bareOne.map((r) => r.cpuUsPerPush), bareMany.map((r) => r.cpuUsPerPush));
  const line = (label, runs) =>
    `  ${label.padEnd(28)} ${median(runs.map((r) => r.rate)).toFixed(0).padStart(7)} pushes/s   server CPU ${median(runs.map((r) => r.cpuUsPerPush)).toFixed(1).padStart(5)} µs/push (user ${median(runs.map((r) => r.userUsPerPush)).toFixed(1).padStart(4)}, system ${median(runs.map((r) => r.systemUsPerPush)).toFixed(1).padStart(4)})   clients' CPU ${median(runs.map((r) => r.clientsCpuUsPerPush)).toFixed(1).padStart(5)} µs/push`;
  console.log(`feishu-events gateway: push rate by clients connected — ${describeMachine()}`);
  console.log(
    `${args.events} pushes of a ${bytes}-byte event (im.message.receive_v1) per run after ${args.warmup} warm-up, ${args.inFlight} in flight, each acked with code 200; ${args.runs} runs alternated; ratio = median of the pairwise ratios (target ≥ 0.85×)`,
  );
  console.log(line('gateway, 1 client', one));
  console.log(line(`gateway, ${args.clients} clients`, many));
  console.log(line('bare ws server, 1 client', bareOne));
  console.log(line(`bare ws server, ${args.clients} clients`, bareMany));
  console.log(`  gateway ${args.clients} clients / 1 client: ${fmtRatio(ratio)} the rate, ${fmtRatio(cpuRatio)} by its CPU per push (each client got ${many.at(-1).fewest}–${many.at(-1).most} pushes)`);
  console.log(`  bare ws server (the transport's own cost): ${fmtRatio(bareRatio)} the rate, ${fmtRatio(bareCpuRatio)} by its CPU per push`);
  const previous = writeResults('gateway-clients', { ...args, bytes, ratio, cpuRatio, bareRatio, bareCpuRatio, one, many, bareOne, bareMany });
  if (previous?.ratio !== undefined) console.log(`last run: ${fmtRatio(previous.ratio)} (${previous.clients} clients)`);
}
