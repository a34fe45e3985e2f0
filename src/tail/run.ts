import { maskId } from '../config.js';
import type { CommandIO } from '../io.js';
import { checkDiscovery } from './discovery.js';
import { startTailSession, type TailSession, type TailSessionHandlers, type TailSessionOptions } from './session.js';

export interface TailOptions {
  appId: string;
  appSecret: string;
  domain: string;
  json: boolean;
  save?: string;
  filters: string[];
  forwardTo?: string;
  encryptKey?: string;
  verificationToken?: string;
  /** Events kept in memory by the terminal UI. */
  capacity: number;
  /** Stop after this many events (those --filter keeps). */
  maxEvents?: number;
  /** Stop after this long. */
  timeoutMs?: number;
  /** Colours in the terminal UI (off under NO_COLOR). */
  color: boolean;
}

export const CLUSTER_WARNING =
  'the platform gives each event to only one connected client: while tail is connected, an app running with the same credentials misses what tail receives';

export type TailCatalog = Awaited<ReturnType<typeof openCatalog>>;

async function openCatalog(io: CommandIO) {
  const { openSchemaCatalog } = await import('../catalog/schemas.js');
  return openSchemaCatalog({ strict: false, warn: (message) => io.stderr.write(`feishu-events: ${message}\n`) });
}

/** Discovery checked (a clear error for bad credentials or an unreachable domain), the warning said, schemas open. */
export async function prepareTail(options: TailOptions, io: CommandIO): Promise<TailCatalog> {
  await checkDiscovery(options.domain, options.appId, options.appSecret);
  io.stderr.write(`feishu-events: warning: ${CLUSTER_WARNING}\n`);
  return openCatalog(io);
}

export function sessionOptions(options: TailOptions, catalog: TailCatalog): TailSessionOptions {
  return {
    appId: options.appId,
    appSecret: options.appSecret,
    domain: options.domain,
    filters: options.filters,
    catalog,
    ...(options.save ? { save: options.save } : {}),
    ...(options.forwardTo ? { forwardTo: options.forwardTo } : {}),
    ...(options.encryptKey ? { encryptKey: options.encryptKey } : {}),
    ...(options.verificationToken ? { verificationToken: options.verificationToken } : {}),
  };
}

/** Why a tail stopped: asked to (signal, q), --max-events reached, --timeout passed, or the connection failed. */
export type TailStop = 'stopped' | 'max-events' | 'timeout' | 'failed';

/** A promise that settles on the first stop reason, and the function that gives one. --timeout arms itself. */
export function stopLatch(options: TailOptions, signal: AbortSignal | undefined): { stopped: Promise<TailStop>; stop(reason: TailStop): void } {
  let stop!: (reason: TailStop) => void;
  const stopped = new Promise<TailStop>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => stop('stopped');
    stop = (reason) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(reason);
    };
    if (options.timeoutMs !== undefined) timer = setTimeout(() => stop('timeout'), options.timeoutMs);
    if (signal?.aborted) stop('stopped');
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  return { stopped, stop };
}

/** The exit code for a stop: a failed connection, or --timeout before --max-events' count, is 1. */
export function exitCodeFor(reason: TailStop, options: TailOptions, received: number): number {
  if (reason === 'failed') return 1;
  if (reason === 'timeout' && options.maxEvents !== undefined && received < options.maxEvents) return 1;
  return 0;
}

/** tail without a terminal (or --json): one envelope a line on stdout; everything else on stderr. */
export async function tailToStdout(options: TailOptions, io: CommandIO, signal?: AbortSignal): Promise<number> {
  const catalog = await prepareTail(options, io);
  const latch = stopLatch(options, signal);
  let received = 0;
  let dropped = 0;
  let ready = false;
  const handlers: TailSessionHandlers = {
    connection: (state, error) => {
      io.stderr.write(`feishu-events: ${state}${error ? `: ${error}` : ''} (${maskId(options.appId)} @ ${options.domain})\n`);
      // One line a script can wait for before it pushes events (the app id is not a secret; the secret is never printed).
      if (state === 'connected' && !ready) {
        ready = true;
        io.stderr.write(`ready app=${options.appId} domain=${options.domain}\n`);
      }
      if (state === 'failed') latch.stop('failed');
    },
    event: (event) => {
      if (options.maxEvents !== undefined && received >= options.maxEvents) return;
      received++;
      // One envelope a line, exactly as received: `tail | validate -` and `tail > events.ndjson` just work.
      io.stdout.write(`${JSON.stringify(event.envelope)}\n`);
      if (event.valid === false) io.stderr.write(`feishu-events: invalid ${event.eventType} ${event.eventId}: ${event.findings.join('; ')}\n`);
      if (options.maxEvents !== undefined && received >= options.maxEvents) latch.stop('max-events');
    },
    forwarded: (seq, result) => {
      io.stderr.write(`feishu-events: forwarded #${seq} to ${options.forwardTo}: ${result.ok ? `${result.status} in ${Math.round(result.ms)} ms` : (result.error ?? `HTTP ${result.status}`)}\n`);
    },
    dropped: () => {
      dropped++;
    },
    warning: (text) => io.stderr.write(`feishu-events: ${text}\n`),
  };
  const session: TailSession = await startTailSession(sessionOptions(options, catalog), handlers);
  // A closed stdout (`tail | head`) ends the session quietly.
  io.stdout.on('error', () => latch.stop('stopped'));
  const reason = await latch.stopped;
  await session.close();
  if (options.filters.length > 0) io.stderr.write(`feishu-events: --filter ${options.filters.join(' ')}: ${received} kept, ${dropped} dropped\n`);
  if (reason === 'timeout') {
    io.stderr.write(`feishu-events: --timeout reached after ${received} event${received === 1 ? '' : 's'}${options.maxEvents !== undefined ? ` of ${options.maxEvents}` : ''}\n`);
  }
  return exitCodeFor(reason, options, received);
}
