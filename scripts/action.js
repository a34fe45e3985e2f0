#!/usr/bin/env node
// The GitHub Action's step (action.yml): INPUT_COMMAND, INPUT_PATHS, INPUT_FORMAT, INPUT_ARGS, INPUT_REPORT → one
// feishu-events run. Its output goes to the log (and to INPUT_REPORT), `exit-code=<n>` to $GITHUB_OUTPUT, and its
// exit code is the step's. FEISHU_EVENTS_BIN is the CLI to run (default: this checkout's bin).
import { spawnSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const env = process.env;
const command = (env.INPUT_COMMAND || 'validate').trim();
if (command !== 'validate' && command !== 'replay') {
  process.stderr.write(`feishu-events action: command must be validate or replay, got "${command}"\n`);
  process.exit(2);
}

/** Words separated by spaces or new lines; "double" or 'single' quotes keep spaces inside one word. */
function words(text) {
  return [...(text ?? '').matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

const args = [command, ...words(env.INPUT_PATHS)];
const format = (env.INPUT_FORMAT || (command === 'validate' && env.GITHUB_ACTIONS === 'true' ? 'github' : '')).trim();
if (format !== '') args.push('--format', format);
args.push(...words(env.INPUT_ARGS));

const bin = env.FEISHU_EVENTS_BIN || fileURLToPath(new URL('../bin/feishu-events.js', import.meta.url));
process.stderr.write(`feishu-events ${args.join(' ')}\n`);
const run = spawnSync(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 30 });
if (run.error) {
  process.stderr.write(`feishu-events action: cannot run ${bin}: ${run.error.message}\n`);
  process.exit(2);
}
process.stdout.write(run.stdout);
if (env.INPUT_REPORT) writeFileSync(env.INPUT_REPORT, run.stdout);
const code = run.status ?? 1;
if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `exit-code=${code}\n`);
process.exit(code);
