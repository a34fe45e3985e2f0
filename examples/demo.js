#!/usr/bin/env node
// `npm run demo`: start the example handler (official SDK, encrypted + signed) on a free local port, replay every
// bundled sample to it through the real CLI, challenge first, and exit with the replay's exit code.
import { spawn } from 'node:child_process';
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
console.error(`\nthe example handler's registered handlers ran ${received} time${received === 1 ? '' : 's'}`);
process.exit(code);
