// tail --save on a disk that fills up: an event is acknowledged with 200 only when its line is whole on disk.
// Runs on a real 64 KiB tmpfs when this machine lets the test mount one (root on Linux); skipped otherwise.
// It needs no process of its own: it shares a test process with other such files (scripts/run-tests.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, readFile, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startGateway } from '../../src/gateway/server.js';
import { bin, root, runCli, tempDir } from '../helpers/cli.js';
import { APP_ID, waitUntil } from '../helpers/gateway.js';

/** Mount a tmpfs of `size` at a fresh directory; undefined when this machine does not allow it. */
function mountTmpfs(dir: string, options: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    // Already gone.
  }
}

test('a full disk: no event is acked 200 unless its line is whole on disk; the failure is said once', async (t) => {
  const { dir, cleanup } = await tempDir();
  const disk = join(dir, 'disk');
  const readOnly = join(dir, 'ro');
  await mkdir(disk);
  await mkdir(readOnly);
  if (!mountTmpfs(disk, 'size=64k')) {
    await cleanup();
    t.skip('cannot mount a tmpfs here (needs root on Linux)');
    return;
  }
  const gateway = await startGateway({ ackTimeoutMs: 60_000, redeliver: false });
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  const saveFile = join(disk, 'events.ndjson');
  const child = spawn(process.execPath, [bin, 'tail', '--app-id', APP_ID, '--app-secret', 's', '--domain', gateway.domain, '--json', '--save', saveFile], { cwd: root, env });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    // The WSClient's ready callback, not just the socket: an event before it would not be dispatched.
    await waitUntil(() => /: connected \(/.test(stderr), 'tail to connect', 30_000);
    const codes = new Map<string, number | undefined>();
    // ~3 KB events: 64 KiB fills after about twenty, part-way through one of them.
    for (let i = 0; i < 40; i++) {
      const id = `disk-${String(i).padStart(2, '0')}`;
      const result = await gateway.push(
        { schema: '2.0', header: { event_id: id, event_type: 'im.message.receive_v1', create_time: '1', token: '', app_id: APP_ID, tenant_key: 't' }, event: { pad: 'x'.repeat(3000 + i * 7) } },
        { timeoutMs: 8_000 },
      );
      codes.set(id, result.ack_code);
    }
    const text = await readFile(saveFile, 'utf8');
    assert.ok(text === '' || text.endsWith('\n'), 'the file ends with a whole line');
    const saved = text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { header: { event_id: string } }).header.event_id);
    const acked = [...codes].filter(([, code]) => code === 200).map(([id]) => id);
    assert.deepEqual(saved, acked, 'exactly the events acked 200 are in the file, each whole');
    assert.ok(acked.length >= 5, `some events were saved (${acked.length})`);
    const refused = [...codes].filter(([, code]) => code !== 200);
    assert.ok(refused.length > 0, 'the disk filled up');
    assert.ok(refused.every(([, code]) => code === 500), `an event that could not be saved is acked 500, so the platform pushes it again: ${JSON.stringify(refused)} ${stderr}`);
    assert.equal(stderr.match(/the disk is full \(ENOSPC\)/g)?.length, 1, stderr);
    assert.doesNotMatch(stderr, /invoke event failed|\n\s+at /);
  } finally {
    child.kill('SIGINT');
    await exited;
    await gateway.close();
    unmount(disk);
  }
  // A read-only place is said at once, in one line, before anything connects.
  try {
    if (mountTmpfs(readOnly, 'size=4k,ro')) {
      const r = await runCli(['tail', '--app-id', APP_ID, '--app-secret', 's', '--domain', 'http://127.0.0.1:9', '--json', '--save', join(readOnly, 'x.ndjson')]);
      assert.equal(r.code, 2, r.stderr);
      // --json: the error is one JSON object.
      assert.match(r.stderr, /^\{"error":"--save .*x\.ndjson: cannot write there: the file system is read-only \(EROFS\)","hint":null,"exit_code":2\}\n$/);
    }
  } finally {
    unmount(readOnly);
    await rmdir(readOnly).catch(() => {});
    await cleanup();
  }
});
