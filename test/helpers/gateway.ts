// A `feishu-events gateway` process that stays up during a test, and WSClient apps (the official SDK) to connect to it.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import type * as Lark from '@larksuiteoapi/node-sdk';
import { listSamples } from '../../src/catalog/samples.js';
import { bin, killAtEnd, root } from './cli.js';

export type Json = Record<string, unknown>;

/** The SDK, loaded by the first startWsApp: the files that only need waitUntil or a gateway process never load it (~0.4 s of CPU). */
const sdk = (): typeof Lark => createRequire(import.meta.url)('@larksuiteoapi/node-sdk') as typeof Lark;

/** Poll until `check` returns a value other than undefined/false; reject after `timeoutMs` (long: for a busy machine) with `what`. */
export async function waitUntil<T>(check: () => T | undefined | false, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface GatewayProcess {
  domain: string;
  port: number;
  /** Parsed NDJSON log lines (with --json, the default). */
  events: Json[];
  stdout(): string;
  stderr(): string;
  waitForEvent(predicate: (event: Json) => boolean, what: string, timeoutMs?: number): Promise<Json>;
  /** Send a signal and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Spawn `feishu-events gateway` (the built bin) and wait for its domain: with `--json` (default) from the first
 * NDJSON line, else from the first stdout line.
 */
export function startGatewayProcess(args: string[] = [], options: { json?: boolean; env?: Record<string, string> } = {}): Promise<GatewayProcess> {
  const json = options.json ?? true;
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...options.env };
  delete env.FORCE_COLOR;
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [bin, 'gateway', ...(json ? ['--json'] : []), ...args], { cwd: root, env });
  let stdout = '';
  let stderr = '';
  let pending = '';
  const events: Json[] = [];
  // 'close', not 'exit': the last lines of stdout may still be on their way when the process exits.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    if (json) for (const line of lines) if (line.trim() !== '') events.push(JSON.parse(line) as Json);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // A test that fails must not leave a gateway behind.
  killAtEnd(child);

  const handle = (domain: string): GatewayProcess => ({
    domain,
    port: Number(new URL(domain).port),
    events,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForEvent: (predicate, what, timeoutMs) => waitUntil(() => events.find(predicate), what, timeoutMs),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the gateway did not start: ${stderr}`));
    }, 15_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited with ${code} before it was ready: ${stderr}`));
    });
    const check = (): void => {
      const domain = json ? (events.find((e) => e.type === 'listening')?.domain as string | undefined) : /^(http:\/\/\S+)\n/.exec(stdout)?.[1];
      if (domain === undefined) return;
      clearTimeout(timer);
      child.stdout.off('data', check);
      resolve(handle(domain));
    };
    child.stdout.on('data', check);
  });
}

/**
 * A gateway process on `port` again, after one there has stopped: once let go, the port may be the local end of
 * another test's connection for a moment, so it is started again (at most 10 times) while the port is in use.
 */
export async function restartGatewayProcess(port: number, args: string[] = []): Promise<GatewayProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startGatewayProcess([...args, '--port', String(port)]);
    } catch (error) {
      if (attempt === 10 || !/already in use/.test(String(error))) throw error;
    }
  }
}

/** A logger that says nothing: the SDK's own log would bury the test output. */
export const silentLogger = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

export interface Received {
  type: string;
  data: Json;
}

export interface WsApp {
  client: Lark.WSClient;
  /** Every event a handler ran for, in order. */
  got: Received[];
  errors: Error[];
  states: string[];
  ready: Promise<void>;
  close(): void;
}

export const APP_ID = 'cli_a1b2c3d4e5f60718';

/**
 * An app as a developer writes it: the official WSClient pointed at `domain`, an EventDispatcher with a handler
 * for every bundled event type (or the given ones). `handler` decides what each call does (default: return).
 */
export function startWsApp(
  domain: string,
  options: { appId?: string; appSecret?: string; handler?: (type: string, data: Json, call: number) => Promise<unknown> | unknown } = {},
): WsApp {
  const got: Received[] = [];
  const errors: Error[] = [];
  const states: string[] = [];
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const lark = sdk();
  const client = new lark.WSClient({
    appId: options.appId ?? APP_ID,
    appSecret: options.appSecret ?? 'any-secret',
    domain,
    loggerLevel: lark.LoggerLevel.fatal,
    logger: silentLogger,
    onReady: () => {
      states.push('ready');
      markReady();
    },
    onError: (error: Error) => {
      states.push('error');
      errors.push(error);
    },
    onReconnecting: () => states.push('reconnecting'),
    onReconnected: () => states.push('reconnected'),
  });
  const handlers: Record<string, (data: Json) => Promise<unknown>> = {};
  for (const type of new Set(listSamples().map((s) => s.eventType))) {
    handlers[type] = async (data: Json) => {
      got.push({ type, data });
      return options.handler?.(type, data, got.length);
    };
  }
  const dispatcher = new lark.EventDispatcher({ logger: silentLogger, loggerLevel: lark.LoggerLevel.fatal }).register(handlers as never);
  void client.start({ eventDispatcher: dispatcher });
  return { client, got, errors, states, ready, close: () => client.close({ force: true }) };
}
