// The GitHub Action (action.yml → scripts/action.js), run locally with the inputs of the README's example workflow
// (examples/github-workflow.yml): validate with annotations, replay --contract as JUnit, the exit-code output.
// It needs no process of its own: it shares a test process with other such files (scripts/run-tests.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bin, killAtEnd, root, tempDir } from '../helpers/cli.js';
import { EXAMPLE_ENCRYPT_KEY, startExampleServer } from 'feishu-events/examples/webhook-server.js';

/** The `with:` inputs of each step of the example workflow that uses the action. */
async function exampleSteps(): Promise<Array<Record<string, string>>> {
  const lines = (await readFile(join(root, 'examples', 'github-workflow.yml'), 'utf8')).split('\n');
  const steps: Array<Record<string, string>> = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*- uses: feishu-events\/feishu-events@/.test(lines[i] as string)) continue;
    const inputs: Record<string, string> = {};
    const withAt = lines.findIndex((l, j) => j > i && /^\s*with:\s*$/.test(l));
    const indent = /^\s*/.exec(lines[withAt] as string)?.[0].length ?? 0;
    for (let j = withAt + 1; j < lines.length && (/^\s*/.exec(lines[j] as string)?.[0].length ?? 0) > indent; j++) {
      const m = /^\s*([a-z-]+):\s*(.*)$/.exec(lines[j] as string);
      if (m) inputs[m[1] as string] = m[2] as string;
    }
    steps.push(inputs);
  }
  return steps;
}

/** scripts/action.js as the composite action runs it: INPUT_* variables, GITHUB_OUTPUT, the CLI in FEISHU_EVENTS_BIN. */
function runAction(inputs: Record<string, string>, dir: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string; output: Promise<string> }> {
  const output = join(dir, `output-${Math.random().toString(36).slice(2)}`);
  const vars: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: output, FEISHU_EVENTS_BIN: bin, ...env };
  for (const [key, value] of Object.entries(inputs)) vars[`INPUT_${key.toUpperCase()}`] = value;
  return new Promise((resolve, reject) => {
    const child = killAtEnd(spawn(process.execPath, [join(root, 'scripts', 'action.js')], { cwd: root, env: vars }));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, output: readFile(output, 'utf8').catch(() => '') }));
  });
}

test('action.yml: a composite action with the documented inputs, running scripts/action.js', async () => {
  const action = await readFile(join(root, 'action.yml'), 'utf8');
  assert.match(action, /using: composite/);
  for (const input of ['command', 'paths', 'format', 'args', 'report', 'package']) assert.match(action, new RegExp(`^  ${input}:\\n`, 'm'), input);
  assert.match(action, /INPUT_COMMAND: \$\{\{ inputs\.command \}\}/);
  assert.match(action, /node "\$GITHUB_ACTION_PATH\/scripts\/action\.js"/);
});

test("the README's example workflow, run locally: validate passes, replay --contract writes JUnit, exit-code is set", async () => {
  const { dir, cleanup } = await tempDir();
  const server = await startExampleServer({ port: 0 });
  try {
    const [validate, contract] = await exampleSteps();
    assert.ok(validate && contract, 'two steps use the action');
    const v = await runAction(validate, dir);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.equal(await v.output, 'exit-code=0\n');
    assert.match(v.stderr, /^feishu-events validate samples\/hire\.eco_exam\.created_v1 --format github\n/, 'github annotations by default in Actions');

    const report = join(dir, contract.report as string);
    const c = await runAction({ ...contract, args: (contract.args as string).replace('http://127.0.0.1:3000/webhook/event', server.url), report }, dir, { FEISHU_ENCRYPT_KEY: EXAMPLE_ENCRYPT_KEY });
    assert.equal(c.code, 0, c.stdout + c.stderr);
    assert.equal(await c.output, 'exit-code=0\n');
    const xml = await readFile(report, 'utf8');
    assert.match(xml, /^<\?xml/);
    assert.match(xml, /<testsuite/);
    assert.equal(xml, c.stdout, 'the report is what the command printed');
  } finally {
    await server.close();
    await cleanup();
  }
});

test('findings fail the step with exit-code 1 and annotate the file; a bad command is exit 2', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ schema: '2.0', header: { event_type: 'hire.eco_exam.created_v1', event_id: 'x' }, event: { exam_id: 42 } }));
    const r = await runAction({ command: 'validate', paths: bad }, dir);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(await r.output, 'exit-code=1\n');
    assert.match(r.stdout, /^::error file=.*bad\.json/m);
    const wrong = await runAction({ command: 'deploy' }, dir);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /command must be validate or replay, got "deploy"/);
  } finally {
    await cleanup();
  }
});
