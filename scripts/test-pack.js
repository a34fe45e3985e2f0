#!/usr/bin/env node
// The package as a user gets it: `npm pack`, then `npm install --omit=dev <tarball>` in an empty directory, then the
// installed bin runs --version, validate on a bundled sample, replay --list, events, tail --help and replay with
// encryption (the bundle's worker), all from the bundle (dist/bundle/) as the bin loads it. Fails (exit 1) with what
// went wrong; needs the built dist/ (npm run test:pack builds first) and a registry for the dependencies.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const work = mkdtempSync(join(tmpdir(), 'feishu-events-pack-'));
const keep = process.argv.includes('--keep');
let failed = false;

function step(what, fn) {
  const started = Date.now();
  try {
    const detail = fn();
    process.stdout.write(`✓ ${what}${detail ? `: ${detail}` : ''} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  } catch (error) {
    failed = true;
    process.stdout.write(`✗ ${what}: ${error.message}\n`);
    throw error;
  }
}

/** Run the installed CLI from the install directory, with none of this checkout's settings. */
function cli(args) {
  const env = { ...process.env, NO_COLOR: '1', XDG_CONFIG_HOME: join(work, 'config') };
  for (const name of Object.keys(env)) if (/^(FEISHU_|LARKSUITE_CLI_)/.test(name)) delete env[name];
  const bin = join(work, 'app', 'node_modules', '.bin', process.platform === 'win32' ? 'feishu-events.cmd' : 'feishu-events');
  const r = spawnSync(bin, args, { cwd: join(work, 'app'), env, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return r;
}

/** Enough deliveries for replay to encrypt in its worker thread (it does from 1,000 on). */
const WORKER_EVENTS = 2000;
/**
 * A child that listens on 127.0.0.1 (port 0), runs the installed `replay <ndjson> --encrypt-key` at it, and prints
 * how many encrypted bodies arrived (the events, and the control delivery replay sends first): the bundled worker
 * encrypts them.
 */
const ENDPOINT_AND_REPLAY = `
const http = require('node:http');
const { spawn } = require('node:child_process');
let encrypted = 0;
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (JSON.parse(body).encrypt !== undefined) encrypted++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.listen(0, '127.0.0.1', () => {
  const url = 'http://127.0.0.1:' + server.address().port + '/webhook';
  const child = spawn(process.argv[1], ['replay', process.argv[2], '--to', url, '--encrypt-key', 'pack-test-key', '--json'], { stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('exit', (code) => {
    server.close();
    console.log(encrypted + ' encrypted deliveries, replay exit ' + code);
    process.exit(code === 0 && encrypted >= Number(process.argv[3]) ? 0 : 1);
  });
});
`;

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

try {
  let tarball;
  step('npm pack', () => {
    const out = execFileSync(npm, ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const [info] = JSON.parse(out);
    tarball = join(work, info.filename);
    const paths = new Set(info.files.map((f) => f.path));
    const needed = ['bin/feishu-events.js', 'dist/src/cli.js', 'dist/src/validators/index.json', 'README.md', 'dist/bundle/samples.json', 'dist/bundle/body-encoder-worker.js'];
    for (const command of ['replay', 'validate', 'events', 'gateway', 'completion', 'profile']) needed.push(`dist/bundle/command-${command}.cjs`, `dist/bundle/command-${command}.cjs.cache`);
    needed.push('dist/bundle/command-tail.js', 'dist/bundle/cli.cjs', 'bin/package.json');
    for (const file of needed) expect(paths.has(file), `the tarball lacks ${file}`);
    expect(![...paths].some((p) => p.startsWith('dist/test/') || p.startsWith('test/') || p.startsWith('src/')), 'the tarball holds tests or TypeScript sources');
    return `${info.filename}, ${info.files.length} files, ${(info.size / 1024 / 1024).toFixed(1)} MB`;
  });
  step('npm install --omit=dev <tarball> into an empty directory', () => {
    execFileSync('mkdir', ['-p', join(work, 'app')]);
    execFileSync(npm, ['init', '-y'], { cwd: join(work, 'app'), stdio: 'ignore' });
    execFileSync(npm, ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: join(work, 'app'), stdio: ['ignore', 'ignore', 'inherit'] });
    const installed = readdirSync(join(work, 'app', 'node_modules'));
    for (const dev of ['typescript', 'ink-testing-library', 'lark-sdk-1-17', 'lark-sdk-1-60']) expect(!installed.includes(dev), `a dev dependency was installed: ${dev}`);
    return `${installed.length} packages`;
  });
  step('feishu-events --version', () => {
    const r = cli(['--version']);
    expect(r.status === 0 && r.stdout.trim() === version, `exit ${r.status}, "${r.stdout.trim()}" (expected ${version})\n${r.stderr}`);
    return r.stdout.trim();
  });
  step('validate a bundled sample', () => {
    const sample = join(work, 'app', 'node_modules', 'feishu-events', 'samples', 'hire.eco_exam.created_v1');
    const r = cli(['validate', sample, '--format', 'json']);
    expect(r.status === 0, `exit ${r.status}\n${r.stdout}${r.stderr}`);
    expect(!/precompiled validators not found/.test(r.stderr), 'the precompiled validators are missing from the package');
    return `exit 0, ${r.stdout.trim().split('\n').length} lines`;
  });
  step('replay --list', () => {
    const r = cli(['replay', '--list']);
    expect(r.status === 0 && /hire\.eco_exam\.created_v1/.test(r.stdout), `exit ${r.status}\n${r.stderr}`);
    return `${r.stdout.trim().split('\n').length} lines`;
  });
  step('events', () => {
    const r = cli(['events', '--json']);
    expect(r.status === 0, `exit ${r.status}\n${r.stderr}`);
    const types = r.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(types.length > 200, `only ${types.length} event types`);
    return `${types.length} event types`;
  });
  step('tail --help', () => {
    const r = cli(['tail', '--help']);
    expect(r.status === 0 && /Usage: feishu-events tail/.test(r.stdout), `exit ${r.status}\n${r.stderr}`);
    return `${r.stdout.trim().split('\n').length} lines`;
  });
  step(`replay ${WORKER_EVENTS} encrypted events to a local endpoint (the bundle's encryption worker)`, () => {
    const sample = readFileSync(join(work, 'app', 'node_modules', 'feishu-events', 'samples', 'im.message.receive_v1', 'doc.json'), 'utf8');
    const ndjson = join(work, 'events.ndjson');
    writeFileSync(ndjson, `${JSON.stringify(JSON.parse(sample))}\n`.repeat(WORKER_EVENTS));
    const bin = join(work, 'app', 'node_modules', '.bin', 'feishu-events');
    const server = spawnSync(process.execPath, ['-e', ENDPOINT_AND_REPLAY, bin, ndjson, String(WORKER_EVENTS)], { encoding: 'utf8', timeout: 120_000, cwd: join(work, 'app'), env: { ...process.env, NO_COLOR: '1', XDG_CONFIG_HOME: join(work, 'config') } });
    expect(server.status === 0, `exit ${server.status}\n${server.stdout}${server.stderr}`);
    return server.stdout.trim();
  });
} catch {
  // reported by step()
} finally {
  if (keep) process.stdout.write(`kept ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
