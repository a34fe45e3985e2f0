// Part of bench/tail.js: render the real tail UI at 80×24, send it N events, print its memory as JSON.
import { Writable } from 'node:stream';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { render } from 'ink';
import { createElement } from 'react';
import { TailApp } from '../dist/src/ui/TailApp.js';
import { createTailChannel } from '../dist/src/tail/channel.js';
import { summarizeEvent } from '../dist/src/tail/summary.js';
import { prepareEnvelope } from '../dist/src/index.js';
import { DOCUMENTED_TYPES } from './documented-types.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const N = Number(process.argv[2] ?? 20_000);
const samples = [];
for (const type of readdirSync(join(root, 'samples')).filter((t) => DOCUMENTED_TYPES.includes(t))) {
  for (const file of readdirSync(join(root, 'samples', type))) samples.push(JSON.parse(readFileSync(join(root, 'samples', type, file), 'utf8')));
}
const sink = Object.assign(new Writable({ write: (_chunk, _enc, done) => done() }), { columns: 80, rows: 24, isTTY: true });
const channel = createTailChannel();
const mb = (bytes) => bytes / 1024 / 1024;
global.gc?.();
const before = process.memoryUsage();
const app = render(createElement(TailApp, { appId: 'cli_a1b2c3d4e5f60718', domain: 'http://127.0.0.1:1', channel, onSave: async () => '', onRedeliver: async () => '', onQuit: () => {} }), {
  stdout: sink,
  stdin: Object.assign(new (await import('node:stream')).PassThrough(), { isTTY: false }),
  patchConsole: false,
  exitOnCtrlC: false,
});
for (let i = 1; i <= N; i++) {
  const envelope = prepareEnvelope(samples[i % samples.length]);
  const eventType = envelope.header.event_type;
  channel.send({ type: 'event', event: { seq: i, receivedAt: Date.now(), eventType, eventId: envelope.header.event_id, summary: summarizeEvent(eventType, envelope), valid: true, findings: [], duplicate: false, envelope } });
  if (i % 500 === 0) await new Promise((r) => setImmediate(r));
}
await new Promise((r) => setTimeout(r, 200));
global.gc?.();
const after = process.memoryUsage();
app.unmount();
process.stdout.write(`${JSON.stringify({ events: N, kept: 5000, heapMB: mb(after.heapUsed), rssMB: mb(after.rss), heapBeforeMB: mb(before.heapUsed), rssBeforeMB: mb(before.rss) })}\n`);
process.exit(0);
