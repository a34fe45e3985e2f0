#!/usr/bin/env node
// `npm run demo`: start the example handler (official SDK, encrypted + signed) on a free local port, replay every
// bundled sample to it through the real CLI, challenge first, and exit with the replay's exit code.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_ENCRYPT_KEY, EXAMPLE_VERIFICATION_TOKEN, startExampleServer } from './webhook-server.js';

const bin = fileURLToPath(new URL('../bin/feishu-events.js', import.meta.url));
let received = 0;
let answered = 0;
const app = await startExampleServer({ port: 0, onEvent: () => received++, onCallback: () => answered++ });
console.error(`example handler (official SDK EventDispatcher + adaptDefault, autoChallenge) on ${app.url}\n`);

const args = [bin, 'replay', '--to', app.url, '--encrypt-key', EXAMPLE_ENCRYPT_KEY, '--verification-token', EXAMPLE_VERIFICATION_TOKEN, '--challenge'];
console.error(`$ feishu-events replay --to ${app.url} --encrypt-key ••• --verification-token ••• --challenge\n`);
const run = async (argv) => {
  const child = spawn(process.execPath, argv, { stdio: 'inherit' });
  return new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
};
let code = await run(args);
// Card callbacks go to the callback URL, which the console keeps apart; the legacy card action to the card request URL.
const keys = ['--encrypt-key', EXAMPLE_ENCRYPT_KEY, '--verification-token', EXAMPLE_VERIFICATION_TOKEN, '--challenge'];
console.error(`\n$ feishu-events replay 'card.action.trigger/*' url.preview.get --to ${app.callbackUrl} --encrypt-key ••• --verification-token ••• --challenge\n`);
code = Math.max(code, await run([bin, 'replay', 'card.action.trigger/*', 'url.preview.get', '--to', app.callbackUrl, ...keys]));
console.error(`\n$ feishu-events replay card.action.legacy --to ${app.cardUrl} --verification-token ••• --challenge\n`);
code = Math.max(code, await run([bin, 'replay', 'card.action.legacy', '--to', app.cardUrl, ...keys]));
await app.close();
const times = (n) => `${n} time${n === 1 ? '' : 's'}`;
// app_ticket is answered by the SDK's own handler (it caches the ticket for the app's API calls), never by one the
// app registers: those events are delivered and acknowledged, but no registered handler runs for them.
const tickets = readdirSync(fileURLToPath(new URL('../samples/app_ticket/', import.meta.url))).filter((f) => f.endsWith('.json')).length;
console.error(
  `\nthe example app's registered handlers ran ${times(received)}` +
    (tickets > 0 ? `; ${tickets === 1 ? 'the app_ticket event went' : `the ${tickets} app_ticket events went`} to the SDK's own app_ticket handler, which caches the ticket` : '') +
    `; its callback handlers answered ${times(answered)}`,
);
process.exit(code);
