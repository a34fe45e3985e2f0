// replay against endpoints that misbehave on purpose, and replay interrupted: it always ends, says what it did,
// never buffers more than an excerpt of an answer, never prints a password from a URL.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bin, fifoLeftOpen, holdsOpen, killAtEnd, root, tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { waitUntil } from '../helpers/gateway.js';
import { listSamples } from '../../src/catalog/samples.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

async function server(handler: Handler): Promise<{ url: string; received: () => number; close: () => Promise<void> }> {
  let n = 0;
  const s = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res, ++n));
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/webhook/event`,
    received: () => n,
    close: () =>
      new Promise<void>((resolve) => {
        s.closeAllConnections();
        s.close(() => resolve());
      }),
  };
}

/** Spawn replay and keep the handle, to signal it. */
function startReplay(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const child = killAtEnd(spawn(process.execPath, [bin, 'replay', ...args], { cwd: root, env }));
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, stdout: () => stdout, stderr: () => stderr, exited, pid: child.pid };
}

const FIVE = ['hire.eco_exam.created_v1/*', 'im.message.receive_v1/*', 'corehr.employee.domain_event_v2/*', 'corehr.department.updated_v2/*', 'application.bot.menu_v6/*'];

describe('hostile-replay', { concurrency: true }, () => {
  test('SIGINT / SIGTERM during replay: sending stops, the partial summary is printed (text and --json), exit 130 / 143', async () => {
    const interrupt = async (signal: NodeJS.Signals, extra: string[]) => {
      // The first delivery is answered; every later one is held until the server closes.
      const held = await server((_req, res, n) => {
        if (n === 1) res.end('ok');
      });
      try {
        const r = startReplay([...FIVE, '--to', held.url, '--no-control', '--timeout', '60s', ...extra]);
        await waitUntil(() => held.received() >= 2, 'the first delivery answered and the second in flight');
        r.child.kill(signal);
        return { code: await r.exited, stdout: r.stdout(), stderr: r.stderr() };
      } finally {
        await held.close();
      }
    };
    const [text, json] = await Promise.all([interrupt('SIGINT', []), interrupt('SIGTERM', ['--json'])]);
    assert.equal(text.code, 130, text.stderr);
    assert.match(text.stdout, /1 delivered/);
    assert.match(text.stdout, /interrupted by SIGINT: \d+ deliveries not finished \(1 in flight was not waited for\)/);
    assert.doesNotMatch(text.stderr, /\n\s+at |internal error/);
    assert.equal(json.code, 143, json.stderr);
    const summary = JSON.parse(json.stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
    assert.equal(summary.type, 'summary');
    assert.equal(summary.interrupted, 'SIGTERM');
    assert.equal(summary.delivered, 1);
    assert.equal(summary.unfinished, Number(summary.deliveries) - 1);
    assert.equal(summary.abandoned_in_flight, 1);
  });

  test('SIGINT while replay waits for input that never ends (a FIFO whose writer keeps it open, stdin left open): it stops, exit 130', { timeout: 60_000 }, async (t) => {
    const { dir, cleanup } = await tempDir();
    const ok = await server((_req, res) => res.end('ok'));
    try {
      const event = readFileSync(join(root, 'samples', 'hire.eco_exam.created_v1', 'doc.json'), 'utf8');
      const line = `${JSON.stringify(JSON.parse(event))}\n`;
      // Stdin: 1,100 events (more than are read before the first is sent), then nothing, the pipe left open. They are
      // sent as read; the stop ends the run there and says so.
      const streamed = startReplay(['-', '--to', ok.url, '--no-control', '--json']);
      streamed.child.stdin.write(line.repeat(1100));
      await waitUntil(() => ok.received() >= 1100, 'the 1,100 events delivered');
      streamed.child.kill('SIGINT');
      assert.equal(await streamed.exited, 130, streamed.stderr());
      const summary = JSON.parse(streamed.stdout().trim().split('\n').at(-1) as string) as Record<string, unknown>;
      assert.deepEqual([summary.type, summary.delivered, summary.interrupted, summary.input_unread], ['summary', 1100, 'SIGINT', true]);
      streamed.child.stdin.destroy();

      // A FIFO whose writer stays and writes nothing: stopped while the first event is awaited, nothing is sent.
      const fifo = join(dir, 'events.ndjson');
      const writer = await fifoLeftOpen(t, fifo);
      if (writer === undefined) return;
      try {
        const before = ok.received();
        const waiting = startReplay([fifo, '--to', ok.url, '--no-control']);
        await waitUntil(() => holdsOpen(waiting.pid, fifo), 'the FIFO open');
        waiting.child.kill('SIGINT');
        assert.equal(await waiting.exited, 130, waiting.stderr());
        assert.match(waiting.stderr(), /^feishu-events: interrupted by SIGINT while reading the input: nothing was sent \(0 events read\)\n$/);
        assert.equal(ok.received(), before, 'nothing sent');
      } finally {
        await writer.close();
      }
    } finally {
      await ok.close();
      await cleanup();
    }
  });

  test('replay --contract: SIGINT while a probe waits for its answer cuts it off; the rows of those sent stay, no verdict, exit 130', { timeout: 60_000 }, async () => {
    // The challenges (unsigned) are answered; every signed probe is held.
    const held = await server((req, res) => {
      if (req.headers['x-lark-signature'] === undefined) res.end('{}');
    });
    try {
      const r = startReplay(['--contract', 'hire.eco_exam.created_v1', '--to', held.url, '--encrypt-key', 'contract-key', '--timeout', '60s']);
      await waitUntil(() => held.received() >= 3, 'the two challenges answered and the valid delivery in flight');
      r.child.kill('SIGINT');
      assert.equal(await r.exited, 130, r.stderr());
      assert.match(r.stderr(), /interrupted by SIGINT: 2 of \d+ probes judged; the contract has no verdict\n/);
      assert.match(r.stdout(), /challenge, encrypted/);
      assert.doesNotMatch(r.stdout(), /valid delivery|probes: /, 'the probe cut off is not judged, and there is no summary');
      assert.doesNotMatch(r.stderr(), /\n\s+at |internal error/);
    } finally {
      await held.close();
    }
  });

  test('hostile endpoints: an endless trickle and an endless body end at the deadline or the excerpt; a reset and garbage are one verdict each', async () => {
    const trickle = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('.'), 20);
      res.on('close', () => clearInterval(timer));
    });
    const endless = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const reset = await server((req) => req.socket.destroy());
    const garbage = await server((req) => {
      req.socket.end('HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n\u001b[2Jhello');
    });
    try {
      const [t, e, r, g] = await Promise.all(
        [trickle, endless, reset, garbage].map((s) => runInProcess(['replay', 'hire.eco_exam.created_v1/doc', '--to', s.url, '--no-control', '--timeout', '300ms', '--json'])),
      );
      for (const [name, run] of [['trickle', t], ['endless', e], ['reset', r], ['garbage', g]] as Array<[string, Awaited<ReturnType<typeof runInProcess>>]>) {
        assert.ok(run.code === 0 || run.code === 1, `${name}: exit ${run.code} ${run.stderr}`);
        assert.doesNotMatch(run.stderr, /\n\s+at |internal error/, name);
        const delivery = run.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.type === 'delivery');
        assert.ok(delivery, `${name}: a delivery line`);
        if (name === 'trickle') assert.equal(delivery.ok, false);
        if (name === 'endless') assert.ok(delivery.body === undefined || String(delivery.body).length <= 1000);
        assert.doesNotMatch(JSON.stringify(delivery), /\u001b/);
      }
    } finally {
      await Promise.all([trickle, endless, reset, garbage].map((s) => s.close()));
    }
  });

  test('a password in --to is never printed; replay | head ends quietly, sends everything and exits with the deliveries\' verdict', async () => {
    const ok = await server((_req, res) => res.end('ok'));
    const failing = await server((_req, res) => {
      res.statusCode = 500;
      res.end('no');
    });
    try {
      const withPassword = ok.url.replace('http://', 'http://deploy:Hunter2Secret@');
      const r = await runInProcess(['replay', 'hire.eco_exam.created_v1/doc', '--to', withPassword, '--no-control']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /deploy:\*\*\*@127\.0\.0\.1/);
      const bad = await runInProcess(['replay', 'hire.eco_exam.created_v1/doc', '--to', 'http://deploy:Hunter2Secret@127.0.0.1:bad/']);
      assert.equal(bad.code, 2);
      assert.ok(!`${r.stdout}${r.stderr}${bad.stdout}${bad.stderr}`.includes('Hunter2Secret'), 'the password is masked everywhere');

      // A closed stdout stops the output, not the deliveries: every one is sent, and the exit code is their verdict.
      const before = ok.received();
      const piped = startReplay([...FIVE, '--to', ok.url, '--no-control', '--duplicate', '20']);
      await new Promise<void>((resolve) => piped.child.stdout.once('data', () => resolve()));
      piped.child.stdout.destroy();
      const code = await piped.exited;
      assert.equal(code, 0, piped.stderr());
      assert.doesNotMatch(piped.stderr(), /\n\s+at |internal error|EPIPE/);
      const types = new Set(FIVE.map((spec) => spec.replace('/*', '')));
      assert.equal(ok.received() - before, listSamples().filter((s) => types.has(s.eventType)).length * 21, 'every delivery sent after stdout closed');
      const failedPipe = startReplay([...FIVE, '--to', failing.url, '--no-control', '--duplicate', '20']);
      await new Promise<void>((resolve) => failedPipe.child.stdout.once('data', () => resolve()));
      failedPipe.child.stdout.destroy();
      assert.equal(await failedPipe.exited, 1, `failed deliveries exit 1 though nobody read the report: ${failedPipe.stderr()}`);
    } finally {
      await Promise.all([ok.close(), failing.close()]);
    }
  });
});
