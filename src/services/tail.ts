import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { maskId } from '../config.js';
import { ExitCode } from '../errors.js';
import type { CommandIO } from '../io.js';
import { createTailChannel, type TailChannel } from '../tail/channel.js';
import { escapeControl, maskUrlCredentials } from '../safe-text.js';
import { openCaptureFile } from '../tail/capture-file.js';
import { checkDiscovery } from '../tail/discovery.js';
import { startTailSession, type TailSession, type TailSessionHandlers, type TailSessionOptions } from '../tail/session.js';
import type { TailEvent } from '../tail/state.js';

/** What `tail` does, complete and checked (commands/tail.ts makes it from flags, environment and .env). */
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

/** What the terminal UI is given: the session's actions arrive on `channel`; keys call back. */
export interface TailScreenProps {
  appId: string;
  domain: string;
  channel: TailChannel;
  capacity: number;
  /** --filter given on the command line (shown, with the count of events it dropped). */
  filters: readonly string[];
  /** false under NO_COLOR. */
  color: boolean;
  /** `s`: write the event somewhere; resolves to a line for the footer. */
  onSave(event: TailEvent): Promise<string>;
  /** `r`: re-deliver to --forward-to; resolves to a line for the footer. */
  onRedeliver(event: TailEvent): Promise<string>;
  onQuit(): void;
}

/** The terminal UI, handed in by the command (ui/tail-terminal.ts): this service never loads Ink or React. */
export interface TailScreen {
  /** Draw the UI; `closed` settles when it has exited (after `q`, or `close`). */
  show(props: TailScreenProps): { closed: Promise<unknown>; close(): Promise<void> };
}

export const CLUSTER_WARNING =
  'the platform gives each event to only one connected client: while tail is connected, an app running with the same credentials misses what tail receives';

type TailCatalog = Awaited<ReturnType<typeof openCatalog>>;

async function openCatalog(io: CommandIO) {
  const { openSchemaCatalog } = await import('../catalog/schemas.js');
  return openSchemaCatalog({ strict: false, warn: (message) => io.stderr.write(`feishu-events: ${message}\n`) });
}

/** Discovery checked (a clear error for bad credentials or an unreachable domain), the warning said, schemas open. */
async function prepareTail(options: TailOptions, io: CommandIO): Promise<TailCatalog> {
  // A place that cannot be written is said before anything connects (the session opens it again to append).
  if (options.save !== undefined) await (await openCaptureFile(options.save)).close();
  await checkDiscovery(options.domain, options.appId, options.appSecret);
  io.stderr.write(`feishu-events: warning: ${CLUSTER_WARNING}\n`);
  return openCatalog(io);
}

function sessionOptions(options: TailOptions, catalog: TailCatalog): TailSessionOptions {
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
function stopLatch(options: TailOptions, signal: AbortSignal): { stopped: Promise<TailStop>; stop(reason: TailStop): void } {
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
  if (reason === 'failed') return ExitCode.findings;
  if (reason === 'timeout' && options.maxEvents !== undefined && received < options.maxEvents) return ExitCode.findings;
  return ExitCode.ok;
}

/**
 * tail = long connection → validate → NDJSON on stdout, or the terminal UI when the command hands one in
 * (`openScreen`, called once the connection is known to work). Runs until `signal` aborts, q, --max-events,
 * --timeout or a failed connection; resolves to the exit code.
 */
export async function tail(options: TailOptions, io: CommandIO, signal: AbortSignal, openScreen?: () => Promise<TailScreen>): Promise<number> {
  if (options.json || !openScreen) return tailToStdout(options, io, signal);
  return tailToScreen(options, io, signal, openScreen);
}

/** tail without a terminal (or --json): one envelope a line on stdout; everything else on stderr. */
async function tailToStdout(options: TailOptions, io: CommandIO, signal: AbortSignal): Promise<number> {
  const catalog = await prepareTail(options, io);
  const latch = stopLatch(options, signal);
  let received = 0;
  let dropped = 0;
  let ready = false;
  const handlers: TailSessionHandlers = {
    connection: (state, error) => {
      io.stderr.write(`feishu-events: ${state}${error ? `: ${escapeControl(error)}` : ''} (${maskId(options.appId)} @ ${maskUrlCredentials(options.domain)})\n`);
      // One line a script can wait for before it pushes events (the app id is not a secret; the secret is never printed).
      if (state === 'connected' && !ready) {
        ready = true;
        io.stderr.write(`ready app=${options.appId} domain=${maskUrlCredentials(options.domain)}\n`);
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
      io.stderr.write(`feishu-events: forwarded #${seq} to ${maskUrlCredentials(options.forwardTo ?? '')}: ${result.ok ? `${result.status} in ${Math.round(result.ms)} ms` : escapeControl(result.error ?? `HTTP ${result.status}`)}${result.answer !== undefined ? ` → ${result.answer}${result.ok ? ' (returned in the ack)' : ''}` : ''}\n`);
    },
    dropped: () => {
      dropped++;
    },
    warning: (text) => io.stderr.write(`feishu-events: ${maskUrlCredentials(escapeControl(text))}\n`),
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

/** tail on a terminal: the UI the command handed in, until q, ctrl-c, a signal, --max-events or --timeout. */
async function tailToScreen(options: TailOptions, io: CommandIO, signal: AbortSignal, openScreen: () => Promise<TailScreen>): Promise<number> {
  const catalog = await prepareTail(options, io);
  const screen = await openScreen();
  const latch = stopLatch(options, signal);
  const channel = createTailChannel();
  let session: TailSession | undefined;
  let received = 0;
  let failure: string | undefined;
  const handlers: TailSessionHandlers = {
    connection: (state, error) => {
      if (state === 'failed') {
        failure = error ?? 'the connection failed';
        latch.stop('failed');
      }
      channel.send({ type: 'connection', state, ...(error !== undefined ? { error } : {}) });
    },
    event: (event) => {
      received++;
      channel.send({ type: 'event', event });
      if (options.maxEvents !== undefined && received >= options.maxEvents) latch.stop('max-events');
    },
    forwarded: (seq, result) => channel.send({ type: 'forwarded', seq, result }),
    dropped: () => channel.send({ type: 'dropped', count: 1 }),
    warning: (text) => channel.send({ type: 'message', text }),
  };
  channel.send({ type: 'message', text: `warning: ${CLUSTER_WARNING}` });
  const saveEvent = async (event: TailEvent): Promise<string> => {
    // The name comes from the event: only safe characters, so that `../` in an event type cannot leave the directory.
    const file = `${event.eventType}-${event.eventId.slice(0, 12)}.json`.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
    await writeFile(join(io.cwd, file), `${JSON.stringify(event.envelope, null, 2)}\n`);
    return `saved to ${file}`;
  };
  const redeliver = async (event: TailEvent): Promise<string> => {
    if (!options.forwardTo) return 'start tail with --forward-to <url> to re-deliver events to a local webhook';
    if (!session) return 'not connected yet';
    const result = await session.forward(event);
    return result.ok ? `re-delivered ${event.eventId} to ${maskUrlCredentials(options.forwardTo)}: ${result.status} in ${Math.round(result.ms)} ms` : `re-delivery failed: ${result.error ?? `HTTP ${result.status}`}`;
  };
  const shown = screen.show({
    appId: options.appId,
    domain: maskUrlCredentials(options.domain),
    channel,
    capacity: options.capacity,
    filters: options.filters,
    color: options.color,
    onSave: saveEvent,
    onRedeliver: redeliver,
    onQuit: () => latch.stop('stopped'),
  });
  void shown.closed.then(() => latch.stop('stopped'));
  void startTailSession(sessionOptions(options, catalog), handlers).then(
    (started) => {
      session = started;
    },
    (error: unknown) => {
      failure = error instanceof Error ? error.message : String(error);
      latch.stop('failed');
    },
  );
  const reason = await latch.stopped;
  await shown.close();
  // The connection is closed with a close frame (1000) before the process leaves.
  await session?.close();
  if (reason === 'failed') io.stderr.write(`feishu-events: connection failed: ${maskUrlCredentials(escapeControl(failure ?? 'unknown reason'))}\n`);
  if (reason === 'timeout') io.stderr.write(`feishu-events: --timeout reached after ${received} event${received === 1 ? '' : 's'}\n`);
  return exitCodeFor(reason, options, received);
}
