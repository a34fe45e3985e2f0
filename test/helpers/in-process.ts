import { PassThrough, Readable } from 'node:stream';
import { main } from '../../src/cli.js';
import { root, type RunResult } from './cli.js';

/**
 * The CLI in this process, through the same entry point as the bin, its output collected: for quick commands whose
 * exit code and output are the point, where spawning a process would cost more than the command tests.
 */
export async function runInProcess(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const code = await main(['node', 'feishu-events', ...args], {
    stdin: Readable.from(options.input === undefined ? [] : [Buffer.from(options.input)]),
    stdout,
    stderr,
    env: { NO_COLOR: '1', ...options.env },
    cwd: root,
  });
  // Let the last 'data' events of both streams arrive.
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: out, stderr: err };
}
