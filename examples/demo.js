#!/usr/bin/env node
// `npm run demo`: start the example handler (official SDK, encrypted + signed) on a free local port, replay every
// bundled sample to it through the real CLI, challenge first, and exit with the replay's exit code.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_ENCRYPT_KEY, EXAMPLE_VERIFICATION_TOKEN, startExampleServer } from './webhook-server.js';

const bin = fileURLToPath(new URL('../bin/feishu-events.js', import.meta.url));
let received = 0;
const app = await startExampleServer({ port: 0, onEvent: () => received++ });
console.error(`example handler (official SDK EventDispatcher + adaptDefault, autoChallenge) on ${app.url}\n`);

const args = [bin, 'replay', '--to', app.url, '--encrypt-key', EXAMPLE_ENCRYPT_KEY, '--verification-token', EXAMPLE_VERIFICATION_TOKEN, '--challenge'];
console.error(`$ feishu-events replay --to ${app.url} --encrypt-key ••• --verification-token ••• --challenge\n`);
const child = spawn(process.execPath, args, { stdio: 'inherit' });
const code = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
await app.close();
const times = (n) => `${n} time${n === 1 ? '' : 's'}`;
// app_ticket is answered by the SDK's own handler (it caches the ticket for the app's API calls), never by one the
// app registers: those events are delivered and acknowledged, but no registered handler runs for them.
const tickets = readdirSync(fileURLToPath(new URL('../samples/app_ticket/', import.meta.url))).filter((f) => f.endsWith('.json')).length;
console.error(
  `\nthe example app's registered handlers ran ${times(received)}` +
    (tickets > 0 ? `; ${tickets === 1 ? 'the app_ticket event went' : `the ${tickets} app_ticket events went`} to the SDK's own app_ticket handler, which caches the ticket` : ''),
);
process.exit(code);
