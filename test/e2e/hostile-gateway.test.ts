// The gateway against what a browser page, a broken client or an attacker on the network sends: every request gets
// an HTTP answer or a closed connection, the process never dies, nothing pushes an event but a JSON POST without a
// foreign Origin, and no client can grow the gateway's memory without bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { WebSocket } from 'ws';
import { decodeFrame, encodeFrame, type Frame } from '../../src/protocol/frame.js';
import { startGatewayProcess, startWsApp, waitUntil, type Json } from '../helpers/gateway.js';

/** Send raw bytes and read until the server closes or a full HTTP head has come (plus its short body). */
function raw(port: number, request: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    const done = (): void => {
      socket.destroy();
      resolve(got);
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      got += chunk;
      const head = got.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(got)?.[1];
      if (head !== -1 && length !== undefined && got.length >= head + 4 + Number(length)) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(request);
  });
}

/** Poll an async check until it gives a value (the helper's waitUntil takes synchronous checks). */
async function eventually<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 750; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const statusOf = (answer: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);

async function discover(domain: string): Promise<string> {
  const response = await fetch(`${domain}/callback/ws/endpoint`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ AppID: 'cli_a1b2c3d4e5f60718', AppSecret: 's' }),
  });
  return ((await response.json()) as { data: { URL: string } }).data.URL;
}

test('hostile HTTP and WebSocket input: answered, refused or closed; the gateway stays up and prints no stack', async () => {
  const gateway = await startGatewayProcess();
  const { port, domain } = gateway;
  const api = `${domain}/_feishu-events/`;
  const envelope = { schema: '2.0', header: { event_id: 'h-1', event_type: 'hire.eco_exam.created_v1' }, event: { x: 1 } };
  try {
    const wsUrl = await discover(domain);
    const path = new URL(wsUrl).pathname + new URL(wsUrl).search;
    const upgrade = (target: string, extra = ''): string =>
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;
    const answers = await Promise.all([
      raw(port, upgrade('//%%%/ws')), // used to throw TypeError: Invalid URL in the upgrade handler and kill the process
      raw(port, upgrade('http://evil.example/ws')),
      raw(port, upgrade(path, 'Origin: https://evil.example\r\n')),
      raw(port, `GET //%%%/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`),
      raw(port, 'GARBAGE\r\n\r\n'),
      raw(port, Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x01, 0x00, 0x00, 0x00])),
      // What any web page can send without a preflight: a text/plain POST, with its Origin.
      raw(port, `POST /_feishu-events/push HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: https://evil.example\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}`),
      raw(port, `POST /_feishu-events/push HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}`),
      // A DNS-rebinding page: its own name in Host and Origin.
      raw(port, `GET /_feishu-events/pushes HTTP/1.1\r\nHost: rebind.example:${port}\r\nOrigin: http://rebind.example:${port}\r\n\r\n`),
      raw(port, `POST /_feishu-events/push HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${9 * 1024 * 1024}\r\n\r\n{`),
      raw(port, `POST /callback/ws/endpoint HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${1024 * 1024}\r\n\r\n{`),
      raw(port, `GET /_feishu-events/ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\n\r\n`),
    ]);
    assert.deepEqual(answers.map(statusOf), [400, 400, 403, 400, 400, 400, 403, 415, 403, 413, 413, 200]);
    assert.match(answers[0] as string, /bad request target/);

    // Control API input rules, with a client connected so that an accepted push would really reach an app.
    const app = startWsApp(domain);
    try {
      await app.ready;
      const post = (body: unknown): Promise<Response> => fetch(`${api}push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const tooLong = await post({ envelope, timeout_ms: 3e9 });
      assert.equal(tooLong.status, 400);
      assert.match(((await tooLong.json()) as Json).message as string, /timeout_ms must be at most 2147483647/);
      const big = { ...envelope, event: { blob: 'x'.repeat(200_000) } };
      const shredded = await post({ envelope: big, fragment_size: 1 });
      assert.equal(shredded.status, 400);
      assert.match(((await shredded.json()) as Json).message as string, /more than 1000 fragments/);
      assert.equal(app.got.length, 0, 'no refused request reached the app');
      const ok = await post({ envelope });
      assert.equal(ok.status, 200);
      await waitUntil(() => app.got.length === 1, 'the accepted push to reach the app');
    } finally {
      app.close();
    }

    // A raw client: a message over the limit closes its connection with 1009; an ack repeated 250 times is kept 100 times.
    const client = new WebSocket(await discover(domain));
    const frames: Frame[] = [];
    client.on('message', (data) => frames.push(decodeFrame(data as Buffer)));
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    await eventually(async () => (((await (await fetch(`${api}clients`)).json()) as { clients: unknown[] }).clients.length === 1 ? true : undefined), 'the raw client to be listed');
    const pushed = fetch(`${api}push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ envelope: { ...envelope, header: { ...envelope.header, event_id: 'h-2' } } }) });
    const event = await waitUntil(() => frames[0], 'the pushed event');
    const ack = encodeFrame({ ...event, payload: new TextEncoder().encode('{"code":200}') });
    for (let i = 0; i < 250; i++) client.send(ack);
    assert.equal((await (await pushed).json() as Json).ack_code, 200);
    const messageId = event.headers.find((h) => h.key === 'message_id')?.value;
    const record = await eventually(async () => {
      const pushes = ((await (await fetch(`${api}pushes`)).json()) as { pushes: Json[] }).pushes;
      const found = pushes.find((p) => p.message_id === messageId);
      return found && (found.acks as unknown[]).length + Number(found.acks_dropped ?? 0) === 250 ? found : undefined;
    }, 'all 250 acks to be counted');
    assert.equal((record.acks as unknown[]).length, 100);
    assert.equal(record.acks_dropped, 150);
    // Garbage frames: text, truncated protobuf, random bytes (a fixed generator), a huge varint. Each is a logged
    // frame_error; the connection and the gateway stay up.
    let seed = 12345;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    client.send('not a frame');
    client.send(Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    for (let i = 0; i < 200; i++) client.send(Buffer.from(Array.from({ length: 1 + (random() % 64) }, () => random() % 256)));
    await eventually(async () => (gateway.events.filter((e) => e.type === 'frame_error').length >= 2 ? true : undefined), 'the garbage frames to be logged');
    assert.equal(client.readyState, WebSocket.OPEN, 'garbage frames do not end the connection');
    const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
    client.send(Buffer.alloc(1024 * 1024 + 1));
    assert.equal(await closed, 1009);

    // Still up and answering; nothing on stderr; a clean exit.
    assert.equal((await fetch(api)).status, 200);
    assert.doesNotMatch(gateway.stderr(), /Error|    at /);
    assert.equal(await gateway.stop(), 0);
    assert.ok(gateway.events.some((e) => e.type === 'rejected' && /Origin https:\/\/evil\.example/.test(String(e.reason))));
  } finally {
    await gateway.stop();
  }
});
