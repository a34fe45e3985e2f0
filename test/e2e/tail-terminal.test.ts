// tail's terminal UI in a real pseudo-terminal: util-linux `script` gives the built bin a pty (80×24), keys go in
// through it as a terminal sends them (several in one chunk too), and the gateway sees how the connection ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, root } from '../helpers/cli.js';
import { APP_ID, waitUntil } from '../helpers/gateway.js';
import { prepareEnvelope, startGateway } from '../../src/index.js';
import type { Envelope } from '../../src/protocol/envelope.js';

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const SKIP = hasScript ? false : 'util-linux `script` is not installed: no pseudo-terminal to drive the UI in';

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]|\u001b[()][A-Z0-9]|\u001b[=>78]/g;
const COLOUR = /\u001b\[(?:3[0-7]|9[0-7]|38;[0-9;]+)m/;

/** The UI run by `script` on a pty of the given size; `screen()` is everything drawn so far, escapes removed. */
function startTerminalTail(domain: string, env: NodeJS.ProcessEnv, size = { cols: 80, rows: 24 }) {
  const quoted = [process.execPath, bin, 'tail', '--app-id', APP_ID, '--app-secret', 'test-secret', '--domain', domain].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qfec', `stty cols ${size.cols} rows ${size.rows}; exec ${quoted}`, '/dev/null'], { cwd: root, env });
  let raw = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (raw += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (raw += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', kill);
  return {
    raw: () => raw,
    screen: () => raw.replace(ANSI, ''),
    /** Bytes as a terminal sends them: one write is one chunk. */
    keys: (bytes: string) => child.stdin.write(bytes),
    exited,
    kill,
  };
}

function envFor(overrides: Record<string, string | undefined>, keepCi = false): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', ...overrides };
  for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete env[k];
  delete env.FEISHU_APP_ID;
  delete env.FEISHU_APP_SECRET;
  // `.ci/run` sets CI=true: only the test that is about CI keeps what it sets.
  if (!keepCi) {
    delete env.CI;
    delete env.CONTINUOUS_INTEGRATION;
  }
  return env;
}

const sample = (type: string): Envelope => JSON.parse(readFileSync(join(root, 'samples', type, 'doc.json'), 'utf8')) as Envelope;

test('the UI in a pseudo-terminal: keys one by one and in one chunk, details scroll and esc, NO_COLOR, q leaves a clean screen and closes with 1000', { skip: SKIP }, async () => {
  const closes: number[] = [];
  const gateway = await startGateway({ ackTimeoutMs: 20_000, onEvent: (e) => (e.type === 'disconnected' ? closes.push(e.code) : undefined) });
  const ui = startTerminalTail(gateway.domain, envFor({ NO_COLOR: '1', FORCE_COLOR: undefined }));
  try {
    await waitUntil(() => /● connected/.test(ui.screen()), 'the UI to connect', 30_000);
    for (const type of ['im.message.receive_v1', 'hire.eco_exam.created_v1', 'corehr.department.updated_v2']) await gateway.push(prepareEnvelope(sample(type)));
    await waitUntil(() => /received 3/.test(ui.screen()), 'three events on screen');
    assert.match(ui.screen(), /im\.message\.receive_v1 +text {2}"@王五 你好" {2}group oc_/, 'a message row says what was said');

    // Filter: `/`, then `exam` and two backspaces each arriving as one chunk, then enter.
    ui.keys('/');
    await waitUntil(() => /filter by type/.test(ui.screen()), 'the filter prompt');
    ui.keys('exam');
    await waitUntil(() => /filter by type.*: exam▏/.test(ui.screen()), 'exam typed');
    ui.keys('\x7f\x7f');
    await waitUntil(() => /filter by type.*: ex▏/.test(ui.screen()), 'two backspaces in one chunk');
    ui.keys('\r');
    await waitUntil(() => /── filter: ex ─/.test(ui.screen()), 'the filter applied');
    assert.doesNotMatch(ui.screen(), /filter: exam\x7f/);

    // Details: enter opens the pane on the selected event, G scrolls to the end of its body, esc closes it.
    ui.keys('/\x7f\x7f\r');
    await waitUntil(() => /─{20}\s*$/m.test(ui.screen().split('filter: ex').at(-1) ?? ''), 'the filter removed');
    ui.keys('gk');
    const before = ui.screen().length;
    ui.keys('\r');
    await waitUntil(() => /esc close/.test(ui.screen().slice(before)), 'the details pane');
    const opened = ui.screen().length;
    ui.keys('G');
    await waitUntil(() => /"active_chat_id": "oc_/.test(ui.screen().slice(opened)), 'the end of the message event body');
    const scrolled = ui.screen().length;
    ui.keys('\x1b');
    await waitUntil(() => /enter details/.test(ui.screen().slice(scrolled)), 'esc closes the pane');

    assert.doesNotMatch(ui.raw(), COLOUR, 'NO_COLOR: no colour escape at all');
    ui.keys('q');
    assert.equal(await ui.exited, 0);
    assert.match(ui.raw(), /\u001b\[\?1049l[^]*$/, 'the alternate screen is left: the shell gets its screen back');
    await waitUntil(() => closes.length > 0, 'the gateway to see the connection close');
    assert.deepEqual(closes, [1000], 'closed with a close frame, code 1000 (not 1006)');
  } finally {
    ui.kill();
    await gateway.close();
  }
});

test('CI=true in the environment of a real terminal: frames (in colour) before quit; a long line of the body wraps', { skip: SKIP }, async () => {
  const gateway = await startGateway();
  // ink's is-in-ci would draw only the last frame, at exit; chalk would drop colour for an unknown CI.
  const ui = startTerminalTail(gateway.domain, envFor({ CI: 'true', CONTINUOUS_INTEGRATION: 'true', NO_COLOR: undefined, FORCE_COLOR: undefined }, true), { cols: 100, rows: 30 });
  try {
    await waitUntil(() => /● connected/.test(ui.screen()), 'a frame before quit although CI=true', 30_000);
    assert.match(ui.raw(), COLOUR);
    // A long string as the last field of the body: G brings it into view, wrapped.
    const message = sample('im.message.receive_v1') as Envelope & { event: Record<string, unknown> };
    message.event.note = `${'a long line that does not fit one line of the details pane, '.repeat(3)}END-OF-THE-TEXT`;
    await gateway.push(prepareEnvelope(message));
    await waitUntil(() => /received 1/.test(ui.screen()), 'the event on screen');
    const before = ui.screen().length;
    ui.keys('\r');
    await waitUntil(() => /esc close/.test(ui.screen().slice(before)), 'the details pane');
    ui.keys('G');
    await waitUntil(() => /↪ [^\r\n]*TEXT"/.test(ui.screen().slice(before)), 'the end of the long line, on a continuation line');
    ui.keys('q');
    assert.equal(await ui.exited, 0);
  } finally {
    ui.kill();
    await gateway.close();
  }
});
