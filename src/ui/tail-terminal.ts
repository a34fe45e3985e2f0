import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandIO } from '../io.js';
import { CLUSTER_WARNING, exitCodeFor, prepareTail, sessionOptions, stopLatch, type TailOptions } from '../tail/run.js';
import { startTailSession, type TailSession, type TailSessionHandlers } from '../tail/session.js';
import type { TailEvent } from '../tail/state.js';
import { createTailChannel } from '../tail/store.js';
import { boundInkTextCaches } from './ink-text-caches.js';

/** The alternate screen (as less, htop and vim use): the UI draws there, and leaving gives the shell its screen back. */
const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';

/** tail on a terminal: the Ink UI, until q, ctrl-c, a signal, --max-events or --timeout. */
export async function tailToTerminal(options: TailOptions, io: CommandIO, signal?: AbortSignal): Promise<number> {
  const catalog = await prepareTail(options, io);
  // Before ink is loaded: its text-measuring caches would otherwise keep every row string ever drawn.
  await boundInkTextCaches();
  const [{ render }, { createElement }, { TailApp }] = await Promise.all([import('ink'), import('react'), import('./TailApp.js')]);
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
    const file = `${event.eventType}-${event.eventId.slice(0, 12)}.json`;
    await writeFile(join(io.cwd, file), `${JSON.stringify(event.envelope, null, 2)}\n`);
    return `saved to ${file}`;
  };
  const redeliver = async (event: TailEvent): Promise<string> => {
    if (!options.forwardTo) return 'start tail with --forward-to <url> to re-deliver events to a local webhook';
    if (!session) return 'not connected yet';
    const result = await session.forward(event);
    return result.ok ? `re-delivered ${event.eventId} to ${options.forwardTo}: ${result.status} in ${Math.round(result.ms)} ms` : `re-delivery failed: ${result.error ?? `HTTP ${result.status}`}`;
  };
  const stdout = io.stdout as NodeJS.WriteStream;
  stdout.write(ENTER_ALT_SCREEN);
  const app = render(
    createElement(TailApp, {
      appId: options.appId,
      domain: options.domain,
      channel,
      capacity: options.capacity,
      filters: options.filters,
      color: options.color,
      onSave: saveEvent,
      onRedeliver: redeliver,
      onQuit: () => latch.stop('stopped'),
    }),
    { exitOnCtrlC: false, stdout, stderr: io.stderr as NodeJS.WriteStream, patchConsole: false },
  );
  void app.waitUntilExit().then(() => latch.stop('stopped'));
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
  app.unmount();
  await app.waitUntilExit().catch(() => undefined);
  stdout.write(LEAVE_ALT_SCREEN);
  // The connection is closed with a close frame (1000) before the process leaves.
  await session?.close();
  if (reason === 'failed') io.stderr.write(`feishu-events: connection failed: ${failure ?? 'unknown reason'}\n`);
  if (reason === 'timeout') io.stderr.write(`feishu-events: --timeout reached after ${received} event${received === 1 ? '' : 's'}\n`);
  return exitCodeFor(reason, options, received);
}
