// Card callbacks over HTTP: replay card.action.trigger (and url.preview.get, and the legacy card action) to apps built
// on the official node SDK 1.74.0 (EventDispatcher + adaptDefault; CardActionHandler), with each answer checked.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRequire } from 'node:module';
import type * as Lark from '@larksuiteoapi/node-sdk';
import { spawn } from 'node:child_process';
import { bin, killAtEnd, root, runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { warmUp } from '../helpers/sdk-apps.js';

// require, not import: the SDK is CommonJS, and import() first scans its 6 MB for named exports (~0.2 s of CPU).
const lark = createRequire(import.meta.url)('@larksuiteoapi/node-sdk') as typeof Lark;

/** Where the deadline is not the point: room for a busy machine (replay runs in this process, beside the apps). */
const ROOM = ['--timeout', '20000'];

type Json = Record<string, unknown>;
const KEY = 'card-callback-test-key';
const TOKEN = 'card-callback-verification-token';
const silentLogger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} };

/** One server: /callback (EventDispatcher, card.action.trigger answers a toast or what `answer` holds), /legacy (CardActionHandler). */
async function startApp(): Promise<{ base: string; answer: { value: unknown }; legacyCalls: Json[]; close(): Promise<void> }> {
  const answer: { value: unknown } = { value: { toast: { type: 'success', content: 'Approved' } } };
  const legacyCalls: Json[] = [];
  const dispatcher = new lark.EventDispatcher({ encryptKey: KEY, verificationToken: TOKEN, logger: silentLogger, loggerLevel: lark.LoggerLevel.fatal }).register({
    'card.action.trigger': async () => answer.value,
    'url.preview.get': async () => ({ inline: { title: 'Ticket 1024' } }),
  } as never);
  const cards = new lark.CardActionHandler({ encryptKey: KEY, verificationToken: TOKEN, logger: silentLogger, loggerLevel: lark.LoggerLevel.fatal }, async (data: Json) => {
    legacyCalls.push(data);
    return { elements: [{ tag: 'div', text: { tag: 'plain_text', content: 'Approved' } }] };
  });
  const handleCallback = lark.adaptDefault('/callback', dispatcher, { autoChallenge: true });
  const handleLegacy = lark.adaptDefault('/legacy', cards as never, { autoChallenge: true });
  const server = http.createServer((req, res) => {
    (req.url === '/legacy' ? handleLegacy : handleCallback)(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(error.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    answer,
    legacyCalls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const jsonLines = (text: string): Json[] => text.trimEnd().split('\n').map((l) => JSON.parse(l) as Json);

describe('card callbacks over HTTP (node SDK 1.74.0)', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  it('replay card.action.trigger shows the toast the handler answered; --json carries the parsed answer', async () => {
    app.answer.value = { toast: { type: 'success', content: 'Approved' } };
    await warmUp(`${app.base}/callback`, TOKEN);
    const r = await runCli(['replay', 'card.action.trigger', '--to', `${app.base}/callback`, '--encrypt-key', KEY, '--verification-token', TOKEN, '--challenge', ...ROOM], { env: { NO_COLOR: '1' } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^✓ 200 +[\d.]+ ms {2}card\.action\.trigger {2}\S+ {2}→ toast success "Approved"$/m);
    const json = await runInProcess(['replay', 'card.action.trigger/select-static', '--to', `${app.base}/callback`, '--encrypt-key', KEY, '--verification-token', TOKEN, '--json', ...ROOM]);
    assert.equal(json.code, 0, json.stderr);
    const delivery = jsonLines(json.stdout).find((l) => l.type === 'delivery') as Json;
    assert.deepEqual(delivery.answer, { toast: { type: 'success', content: 'Approved' } });
    assert.equal(delivery.answer_summary, 'toast success "Approved"');
  });

  it('a card answer is summed up; url.preview.get shows its inline preview', async () => {
    app.answer.value = { card: { type: 'raw', data: { elements: [{ tag: 'div' }, { tag: 'hr' }, { tag: 'action', actions: [] }] } } };
    const r = await runInProcess(['replay', 'card.action.trigger', 'url.preview.get', '--to', `${app.base}/callback`, '--encrypt-key', KEY, '--verification-token', TOKEN, ...ROOM], { env: { NO_COLOR: '1' } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /card\.action\.trigger {2}\S+ {2}→ card raw \(3 elements\)$/m);
    assert.match(r.stdout, /url\.preview\.get {2}\S+ {2}→ inline "Ticket 1024"$/m);
  });

  it('an answer the client cannot use fails with its pointer and the error the user sees', async () => {
    app.answer.value = { toast: { type: 'fancy' } };
    const r = await runInProcess(['replay', 'card.action.trigger', '--to', `${app.base}/callback`, '--encrypt-key', KEY, '--verification-token', TOKEN, ...ROOM], { env: { NO_COLOR: '1' } });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^✗ 200 .*card\.action\.trigger .*→ toast fancy$/m);
    assert.match(r.stdout, /wrong answer \/toast\/type: "fancy" is not one of "info", "success", "error", "warning"/);
    assert.match(r.stdout, /in the client: 出错了，请稍后重试 code: 200672/);
    assert.match(r.stdout, /1 failed \(1 wrong answer\)/);
    const json = await runInProcess(['replay', 'card.action.trigger', '--to', `${app.base}/callback`, '--encrypt-key', KEY, '--verification-token', TOKEN, '--json', ...ROOM]);
    const delivery = jsonLines(json.stdout).find((l) => l.type === 'delivery') as Json;
    assert.equal(delivery.verdict, 'bad-answer');
    assert.deepEqual(delivery.answer_problems, [{ pointer: '/toast/type', message: '"fancy" is not one of "info", "success", "error", "warning"' }]);
    assert.equal((delivery.client_error as Json).code, 200672);
  });

  it('tail --forward-to: the local handler answers a callback that came over the long connection, and its answer goes back in the ack; without it, tail says once it cannot answer', async () => {
    const { waitUntil, APP_ID } = await import('../helpers/gateway.js');
    // The gateway in this process: only tail's process is the point here.
    const { startGateway } = await import('../../src/gateway/server.js');
    const gateway = await startGateway({ ackTimeoutMs: 20_000 });
    const startTail = (args: string[]) => {
      const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
      delete env.FORCE_COLOR;
      const child = killAtEnd(spawn(process.execPath, [bin, 'tail', '--app-id', APP_ID, '--app-secret', 'test-secret', '--domain', gateway.domain, '--json', ...args], { cwd: root, env }));
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      return { stderr: () => stderr, stop: () => (child.kill('SIGINT'), exited) };
    };
    try {
      app.answer.value = { toast: { type: 'success', content: 'Approved' } };
      const mute = startTail([]);
      try {
        await waitUntil(() => /^feishu-events: connected \(/m.test(mute.stderr()), 'tail to connect');
        const r = await runInProcess(['replay', 'card.action.trigger', 'card.action.trigger/checker', '--gateway', gateway.domain, '--timeout', '20000'], { env: { NO_COLOR: '1' } });
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /wrong answer \/: the answer is empty/);
        assert.equal((mute.stderr().match(/tail cannot answer them/g) ?? []).length, 1, mute.stderr());
      } finally {
        await mute.stop();
      }
      const tail = startTail(['--forward-to', `${app.base}/callback`, '--encrypt-key', KEY, '--verification-token', TOKEN]);
      try {
        await waitUntil(() => /^feishu-events: connected \(/m.test(tail.stderr()), 'tail to connect');
        const r = await runInProcess(['replay', 'card.action.trigger', '--gateway', gateway.domain, '--timeout', '20000'], { env: { NO_COLOR: '1' } });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /card\.action\.trigger .*→ toast success "Approved"$/m);
        assert.match(tail.stderr(), /forwarded #1 to .*: 200 in \d+ ms → toast success "Approved" \(returned in the ack\)/);
        assert.doesNotMatch(tail.stderr(), /cannot answer/);
      } finally {
        await tail.stop();
      }
    } finally {
      await gateway.close();
    }
  });

  it("the legacy card action: CardActionHandler accepts its challenge and its SHA-1 signature, and answers a new card", async () => {
    const before = app.legacyCalls.length;
    await warmUp(`${app.base}/legacy`, TOKEN);
    const r = await runCli(['replay', 'card.action.legacy', '--to', `${app.base}/legacy`, '--encrypt-key', KEY, '--verification-token', TOKEN, '--challenge', ...ROOM], { env: { NO_COLOR: '1' } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^✓ 200 .*url_verification {2}challenge echoed$/m);
    assert.match(r.stdout, /card\.action\.legacy .*→ new card \(1 element\)$/m);
    assert.equal(app.legacyCalls.length, before + 1, 'the handler ran: the signature checked out');
    assert.equal((app.legacyCalls.at(-1)?.action as Json).tag, 'button');
    // Signed with another token, the SDK drops it (answering an empty body): a failed answer, and no handler call.
    const wrong = await runInProcess(['replay', 'card.action.legacy', '--to', `${app.base}/legacy`, '--verification-token', 'another-token', ...ROOM], { env: { NO_COLOR: '1' } });
    assert.equal(wrong.code, 1, wrong.stdout);
    assert.match(wrong.stdout, /wrong answer \/: the answer is empty/);
    assert.equal(app.legacyCalls.length, before + 1);
  });
});

describe('card callbacks over the long connection (official WSClient, node SDK 1.74.0)', () => {
  it('replay --gateway card.action.trigger shows the answer the WSClient app acked; a bad one fails the same way as over HTTP', async () => {
    const { startWsApp } = await import('../helpers/gateway.js');
    const { startGateway } = await import('../../src/gateway/server.js');
    // Room for a busy machine: this process runs the app and replay beside the gateway.
    const gateway = await startGateway({ ackTimeoutMs: 20_000 });
    let answer: unknown = { toast: { type: 'success', content: 'Approved' } };
    const app = startWsApp(gateway.domain, { handler: (type) => (type === 'card.action.trigger' ? answer : undefined) });
    try {
      await app.ready;
      const r = await runInProcess(['replay', 'card.action.trigger', '--gateway', gateway.domain, ...ROOM], { env: { NO_COLOR: '1' } });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^✓ 200 .*card\.action\.trigger {2}\S+ {2}→ client-1 {2}→ toast success "Approved"$/m);
      answer = { card: { type: 'template', data: { template_variable: {} } } };
      const bad = await runInProcess(['replay', 'card.action.trigger', '--gateway', gateway.domain, '--json', ...ROOM]);
      assert.equal(bad.code, 1, bad.stdout + bad.stderr);
      const delivery = jsonLines(bad.stdout).find((l) => l.type === 'delivery') as Json;
      assert.equal(delivery.verdict, 'bad-answer');
      assert.deepEqual(delivery.answer, answer);
      assert.deepEqual((delivery.answer_problems as Json[]).map((p) => p.pointer), ['/card/data/template_id']);
      const legacy = await runInProcess(['replay', 'card.action.legacy', '--gateway', gateway.domain, ...ROOM]);
      assert.equal(legacy.code, 2);
      assert.match(legacy.stderr, /the legacy card action is only sent over HTTP/);
    } finally {
      app.close();
      await gateway.close();
    }
  });
});
