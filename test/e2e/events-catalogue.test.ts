// replay, validate and tail with every type of the catalogue, the generated ones included: the official SDK's
// EventDispatcher reaches the handler registered for each type, the samples validate, invalid variants do not.
import { isCallbackType } from '../../src/protocol/envelope-fields.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { createRequire } from 'node:module';
import type * as Lark from '@larksuiteoapi/node-sdk';
import { listCatalog } from '../../src/catalog/event-catalog.js';
import { bin, killAtEnd, root, tempDir, runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { warmUp } from '../helpers/sdk-apps.js';
import { APP_ID, silentLogger, waitUntil } from '../helpers/gateway.js';
import { startGateway } from '../../src/gateway/server.js';

// require, not import: the SDK is CommonJS, and import() first scans its 6 MB for named exports (~0.2 s of CPU).
const lark = createRequire(import.meta.url)('@larksuiteoapi/node-sdk') as typeof Lark;

/** Where the deadline is not the point: room for a busy machine (replay runs in this process, beside the apps). */
const ROOM = ['--timeout', '20000'];

type Json = Record<string, unknown>;

const KEY = 'catalogue encrypt key';
const TOKEN = 'catalogue-verification-token';
const catalogue = listCatalog().filter((e) => e.protocol !== 'none');
const generated = catalogue.filter((e) => e.origin === 'generated');
const docOf = (type: string): Json => JSON.parse(readFileSync(join(root, 'samples', type, 'doc.json'), 'utf8')) as Json;
const jsonLines = (text: string): Json[] => text.trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);

/** An app as the Feishu docs show it (EventDispatcher + adaptDefault, autoChallenge), with a handler for every given type. */
async function startSdkApp(types: readonly string[], got: Array<{ type: string; data: Json }>) {
  const handlers: Record<string, (data: Json) => Promise<unknown>> = {};
  for (const type of types) {
    handlers[type] = async (data) => {
      got.push({ type, data });
      // A callback's answer is checked: a toast is a good one.
      return isCallbackType(type) ? { toast: { type: 'info', content: `handled ${type}` } } : `handled ${type}`;
    };
  }
  const dispatcher = new lark.EventDispatcher({ encryptKey: KEY, verificationToken: TOKEN, logger: silentLogger, loggerLevel: lark.LoggerLevel.fatal }).register(handlers as never);
  const handle = lark.adaptDefault('/webhook/event', dispatcher, { autoChallenge: true });
  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(error.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook/event`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('every catalogue type', () => {
  it('replay: each type\'s sample reaches the handler the SDK app registered for that type, every event field intact', async () => {
    const got: Array<{ type: string; data: Json }> = [];
    const app = await startSdkApp(catalogue.map((e) => e.eventType), got);
    try {
      // The representative sample of every type (the generated ones are doc.json), callbacks with an envelope
      // included (the SDK's EventDispatcher takes card.action.trigger like an event).
      await warmUp(app.url, TOKEN);
      const r = await runCli(['replay', ...catalogue.map((e) => e.eventType), '--to', app.url, '--encrypt-key', KEY, '--verification-token', TOKEN, '--challenge', '--concurrency', '8', '--json', ...ROOM]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const lines = jsonLines(r.stdout);
      const summary = lines.at(-1) as Json;
      assert.equal(summary.delivered, catalogue.length);
      assert.equal(summary.failed, 0);
      assert.equal(summary.unknown_read, 0, 'every signature checked out and a handler answered, unlike the control');
      for (const d of lines.filter((l) => l.type === 'delivery')) assert.equal(d.note, undefined, `${String(d.event_type)}: the handler answered, no "no handler" note`);
      assert.equal(got.length, catalogue.length, 'one handler call per type');
      assert.deepEqual(got.map((g) => g.type).sort(), catalogue.map((e) => e.eventType).sort());

      for (const entry of generated) {
        const sample = docOf(entry.eventType);
        const call = got.find((g) => g.type === entry.eventType) as { data: Json };
        const event = sample.event as Json;
        if (entry.protocol === '2.0') {
          // The SDK flattens header and event: every event field as sent, the header's next to them.
          for (const [key, value] of Object.entries(event)) assert.deepEqual(call.data[key], value, `${entry.eventType}: event.${key}`);
          assert.equal(call.data.event_type, entry.eventType);
          assert.equal(call.data.token, TOKEN);
          // helpdesk.ticket_message.created_v1 has an event_id of its own, which shadows the header's.
          if (!('event_id' in event)) assert.match(String(call.data.event_id), /^[0-9a-f]{32}$/);
        } else {
          // 1.0: the envelope's type (event_callback) shadows event.type in the flat object; the rest is the event.
          for (const [key, value] of Object.entries(event)) if (key !== 'type') assert.deepEqual(call.data[key], value, `${entry.eventType}: event.${key}`);
          assert.equal(call.data.type, 'event_callback');
          assert.equal(call.data.token, TOKEN);
          assert.match(String(call.data.uuid), /^[0-9a-f]{32}$/);
        }
      }
    } finally {
      await app.close();
    }
  });

  it('replay of a bare generated type sends its doc sample; 1.0 and 2.0 alike', async () => {
    const got: Array<{ type: string; data: Json }> = [];
    const app = await startSdkApp(['im.message.receive_v1', 'message'], got);
    try {
      const r = await runInProcess(['replay', 'im.message.receive_v1', 'message', '--to', app.url, '--encrypt-key', KEY, '--json', ...ROOM]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(jsonLines(r.stdout).filter((l) => l.type === 'delivery').map((l) => l.source), ['im.message.receive_v1/doc', 'message/doc']);
      assert.deepEqual(got.map((g) => g.type), ['im.message.receive_v1', 'message']);
      assert.equal(got[1]?.data.text, '你好');
    } finally {
      await app.close();
    }
  });

  it('validate: every generated sample is valid against its own schema, with and without --strict', async () => {
    for (const strict of [[], ['--strict']]) {
      const r = await runInProcess(['validate', 'samples', '--format', 'json', '--unknown-type', 'error', ...strict]);
      assert.equal(r.code, 0, r.stdout.slice(0, 2000) + r.stderr);
      const events = jsonLines(r.stdout).filter((l) => l.type === 'event');
      for (const entry of generated) {
        const line = events.find((e) => e.schema === entry.eventType);
        assert.ok(line, `${entry.eventType} was checked against its own schema`);
        assert.equal(line.status, 'valid');
      }
    }
  });

  it('validate: invalid variants of generated types are flagged at their pointers (type, required, enum, const)', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const receive = docOf('im.message.receive_v1');
      const badType = structuredClone(receive) as { event: { message: Json } };
      badType.event.message.message_id = 12;
      const missing = structuredClone(receive) as { event: { message: Json } };
      delete missing.event.message.chat_id;
      const created = structuredClone(docOf('application.application.created_v6')) as { event: Json };
      created.event.create_source = 'somewhere';
      const v1 = structuredClone(docOf('message')) as { type: string; event: Json };
      v1.type = 'callback';
      v1.event.is_mention = 'yes';
      const file = join(dir, 'bad.ndjson');
      await writeFile(file, [badType, missing, created, v1].map((e) => JSON.stringify(e)).join('\n'));
      const r = await runInProcess(['validate', file, '--format', 'json']);
      assert.equal(r.code, 1, r.stderr);
      const findings = jsonLines(r.stdout)
        .filter((l) => l.type === 'event')
        .map((l) => (l.findings as Json[]).map((f) => `${String(l.schema)} ${String(f.pointer)} ${String(f.keyword)}`));
      assert.deepEqual(findings, [
        ['im.message.receive_v1 /event/message/message_id type'],
        ['im.message.receive_v1 /event/message/chat_id required'],
        ['application.application.created_v6 /event/create_source enum'],
        ['message /type const', 'message /event/is_mention type'],
      ]);
    } finally {
      await cleanup();
    }
  });

  it('tail: generated 2.0 and 1.0 types arrive, are checked against their schemas, an invalid one is reported', async () => {
    // Room for a busy machine: this process runs replay beside the gateway.
    const gateway = await startGateway({ ackTimeoutMs: 20_000 });
    const { dir, cleanup } = await tempDir();
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    const child = killAtEnd(spawn(process.execPath, [bin, 'tail', '--app-id', APP_ID, '--app-secret', 'secret', '--domain', gateway.domain, '--json'], { cwd: root, env }));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await waitUntil(() => /^feishu-events: connected \(/m.test(stderr), 'tail to connect');
      const bad = structuredClone(docOf('calendar.calendar.acl.created_v4')) as { event: Json };
      bad.event.acl_id = 42;
      const file = join(dir, 'bad.json');
      await writeFile(file, JSON.stringify(bad));
      const r = await runInProcess(['replay', '--gateway', gateway.domain, 'im.message.receive_v1', 'vc.meeting.meeting_started_v1', 'app_open', file, '--json', ...ROOM]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      await waitUntil(() => jsonLines(stdout).length >= 4, 'the four events on stdout');
      const types = jsonLines(stdout).map((e) => ((e.header as Json | undefined)?.event_type ?? (e.event as Json).type) as string);
      assert.deepEqual(types, ['im.message.receive_v1', 'vc.meeting.meeting_started_v1', 'app_open', 'calendar.calendar.acl.created_v4']);
      await waitUntil(() => /acl_id/.test(stderr), 'the invalid event reported on stderr');
      assert.match(stderr, /calendar\.calendar\.acl\.created_v4.*\n?.*\/event\/acl_id/);
      assert.doesNotMatch(stderr, /im\.message\.receive_v1|vc\.meeting\.meeting_started_v1|app_open/, 'the valid ones are not reported');
    } finally {
      child.kill('SIGINT');
      assert.equal(await exited, 0);
      await gateway.close();
      await cleanup();
    }
  });
});
