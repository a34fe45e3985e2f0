import { PassThrough, Readable } from 'node:stream';
import { main } from '../../src/cli.js';
import { root, type CliOptions, type RunResult } from './cli.js';

/**
 * The CLI in this process, through the same entry point as the bin (`main(argv, io)`), its output collected: for
 * commands whose output, exit code and requests are the point. A spawned CLI costs ~0.1 s of CPU to start and
 * ~0.3 s for a replay (node, then the modules); here only the first run of a file loads the modules. What only a
 * real process shows (signals, a closed pipe, a TTY, the bin itself) is tested with runCli / startCli.
 *
 * Like runCli: stdin and stdout are pipes (no TTY), NO_COLOR is set, the run's config directory is the test run's
 * (XDG_CONFIG_HOME, set by scripts/run-tests.js), the working directory is the package root unless `cwd` is given.
 * Unlike runCli, nothing else of this process's environment is seen: `env` is the whole of it. Runs may overlap.
 */
export async function runInProcess(args: string[], options: Omit<CliOptions, 'timeoutMs'> = {}): Promise<RunResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const env: Record<string, string> = {};
  const given: Record<string, string | undefined> = { NO_COLOR: '1', XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, ...options.env };
  for (const [key, value] of Object.entries(given)) if (value !== undefined) env[key] = value;
  const code = await main(['node', 'feishu-events', ...args], {
    stdin: Readable.from(options.input === undefined ? [] : [Buffer.from(options.input)]),
    stdout,
    stderr,
    env,
    cwd: options.cwd ?? root,
  });
  stdout.end();
  stderr.end();
  // Let the last 'data' events of both streams arrive.
  await Promise.all([new Promise((resolve) => stdout.once('end', resolve)), new Promise((resolve) => stderr.once('end', resolve))]);
  return { code, stdout: out, stderr: err };
}
