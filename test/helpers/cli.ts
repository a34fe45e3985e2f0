import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { constants, readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { listCatalog } from '../../src/catalog/event-catalog.js';
import { listSamples, type SampleRef } from '../../src/catalog/samples.js';

/** The package root (this file is dist/test/helpers/cli.js). */
export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const bin = join(root, 'bin', 'feishu-events.js');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const running = new Set<ChildProcess>();
// A test that fails half-way must not leave a process behind, nor keep its test file from ending.
after(() => {
  for (const child of running) child.kill('SIGKILL');
});

/** Kill `child` when the test file ends, if it is still running then. */
export function killAtEnd<T extends ChildProcess>(child: T): T {
  running.add(child);
  child.once('close', () => running.delete(child));
  return child;
}

export interface RunningCli {
  /** What the process has written so far. */
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited and its output is read. */
  done: Promise<RunResult>;
  /** Send a signal (default SIGTERM). */
  kill(signal?: NodeJS.Signals): void;
  /** Write to its stdin (with `keepStdinOpen`). */
  writeStdin(text: string): void;
  /** Close its stdin (with `keepStdinOpen`): the end of its input. */
  endStdin(): void;
  /** Close our end of its stdout, as `| head` does once it has what it wants. */
  closeStdout(): void;
  /** The process id (undefined if it could not be spawned). */
  readonly pid: number | undefined;
}

export type CliOptions = { input?: string; env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number };
/** `keepStdinOpen`: stdin stays open for writeStdin (without it, stdin is `input` or empty, then closed). */
type StartOptions = CliOptions & { keepStdinOpen?: boolean };

/** Spawn the built CLI, as a user would (real process, real stdio), and watch its output while it runs. */
export function startCli(args: string[], options: StartOptions = {}): RunningCli {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const child = killAtEnd(spawn(process.execPath, [bin, ...args], { cwd: options.cwd ?? root, env: env as NodeJS.ProcessEnv }));
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<RunResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  if (options.input !== undefined) child.stdin.end(options.input);
  else if (!options.keepStdinOpen) child.stdin.end();
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    done,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    writeStdin: (text) => void child.stdin.write(text),
    endStdin: () => void child.stdin.end(),
    closeStdout: () => child.stdout.destroy(),
    pid: child.pid,
  };
}

/** Spawn the built CLI, as a user would: real process, real stdio; settles with its exit code and output. */
export function runCli(args: string[], options: CliOptions = {}): Promise<RunResult> {
  return startCli(args, options).done;
}

/** A fresh temp directory, removed by the returned cleanup. */
export async function tempDir(prefix = 'feishu-events-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The event types with hand-written schemas and samples (from the platform's documents), as the catalogue says (callbacks apart). */
export const DOCUMENTED_TYPES: readonly string[] = listCatalog()
  .filter((entry) => entry.origin === 'hand-written' && entry.kind === 'event')
  .map((entry) => entry.eventType);

/** replay inputs for every sample of the documented types. */
export const DOCUMENTED_SPECS: string[] = DOCUMENTED_TYPES.map((type) => `${type}/*`);

export function documentedSamples(): SampleRef[] {
  return listSamples().filter((s) => DOCUMENTED_TYPES.includes(s.eventType));
}

/** Does process `pid` hold `path` open? (Linux: /proc/<pid>/fd; false elsewhere.) */
export function holdsOpen(pid: number | undefined, path: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/** A FIFO at `path` (mkfifo): false, and the test skipped, where it cannot be made. */
export function makeFifo(t: TestContext, path: string): boolean {
  try {
    execFileSync('mkfifo', [path]);
    return true;
  } catch {
    t.skip('mkfifo is not available');
    return false;
  }
}

/**
 * A FIFO at `path` and a writer that stays: opened for reading and writing, it never waits for a reader, and a reader
 * never sees the FIFO's end while it is open. For tests that watch a process open the FIFO (holdsOpen: Linux only);
 * undefined, and the test skipped, elsewhere.
 */
export async function fifoLeftOpen(t: TestContext, path: string): Promise<FileHandle | undefined> {
  if (process.platform !== 'linux') {
    t.skip('needs /proc to see the FIFO opened');
    return undefined;
  }
  return makeFifo(t, path) ? open(path, constants.O_RDWR) : undefined;
}
