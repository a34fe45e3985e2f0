import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TailOptions } from '../commands/tail.js';
import { maskId } from '../config.js';
import type { CommandIO } from '../io.js';
import { checkDiscovery } from './discovery.js';
import { startTailSession, type TailSession, type TailSessionHandlers } from './session.js';
import type { TailEvent } from './state.js';
import { createTailChannel } from './store.js';

const CLUSTER_WARNING =
  'the platform gives each event to only one connected client: while tail is connected, an app running with the same credentials misses what tail receives';

async function openCatalog(io: CommandIO) {
  const { openSchemaCatalog } = await import('../catalog/schemas.js');
  return openSchemaCatalog({ strict: false, warn: (message) => io.stderr.write(`feishu-events: ${message}\n`) });
}

/** Resolves when the user quits (q, ctrl-c) or the process is told to stop; the exit code. */
function untilStopped(register: (stop: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    register(stop);
  });
}

/** tail = long connection → validate → terminal UI, or NDJSON on stdout. */
export async function tail(options: TailOptions, io: CommandIO): Promise<number> {
  await checkDiscovery(options.domain, options.appId, options.appSecret);
  io.stderr.write(`feishu-events: warning: ${CLUSTER_WARNING}\n`);
  const catalog = await openCatalog(io);
  return options.json ? tailToStdout(options, io, catalog) : tailToTerminal(options, io, catalog);
}

async function tailToStdout(options: TailOptions, io: CommandIO, catalog: Awaited<ReturnType<typeof openCatalog>>): Promise<number> {
  let failed = false;
  let stopNow: (() => void) | undefined;
  const handlers: TailSessionHandlers = {
    connection: (state, error) => {
      io.stderr.write(`feishu-events: ${state}${error ? `: ${error}` : ''} (${maskId(options.appId)} @ ${options.domain})\n`);
      if (state === 'failed') {
        failed = true;
        stopNow?.();
      }
    },
    event: (event) => {
      // One envelope a line, exactly as received: `tail | validate -` and `tail > events.ndjson` just work.
      io.stdout.write(`${JSON.stringify(event.envelope)}\n`);
      if (event.valid === false) io.stderr.write(`feishu-events: invalid ${event.eventType} ${event.eventId}: ${event.findings.join('; ')}\n`);
    },
    forwarded: (seq, result) => {
      io.stderr.write(`feishu-events: forwarded #${seq} to ${options.forwardTo}: ${result.ok ? `${result.status} in ${Math.round(result.ms)} ms` : (result.error ?? `HTTP ${result.status}`)}\n`);
    },
    warning: (text) => io.stderr.write(`feishu-events: ${text}\n`),
  };
  const session = await startTailSession(sessionOptions(options, catalog), handlers);
  // A closed stdout (`tail | head`) ends the session quietly.
  io.stdout.on('error', () => stopNow?.());
  await untilStopped((stop) => {
    stopNow = stop;
  });
  await session.close();
  return failed ? 1 : 0;
}

function sessionOptions(options: TailOptions, catalog: Awaited<ReturnType<typeof openCatalog>>) {
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

async function tailToTerminal(options: TailOptions, io: CommandIO, catalog: Awaited<ReturnType<typeof openCatalog>>): Promise<number> {
  const [{ render }, { createElement }, { TailApp }] = await Promise.all([import('ink'), import('react'), import('../ui/TailApp.js')]);
  const channel = createTailChannel();
  let session: TailSession | undefined;
  let failed = false;
  const handlers: TailSessionHandlers = {
    connection: (state, error) => {
      if (state === 'failed') failed = true;
      channel.send({ type: 'connection', state, ...(error !== undefined ? { error } : {}) });
    },
    event: (event) => channel.send({ type: 'event', event }),
    forwarded: (seq, result) => channel.send({ type: 'forwarded', seq, result }),
    warning: (text) => channel.send({ type: 'message', text }),
  };
  channel.send({ type: 'message', text: `warning: ${CLUSTER_WARNING}` });
  const saveEvent = async (event: TailEvent): Promise<string> => {
    const file = join(io.cwd, `${event.eventType}-${event.eventId.slice(0, 12)}.json`);
    await writeFile(file, `${JSON.stringify(event.envelope, null, 2)}\n`);
    return `saved to ${file}`;
  };
  const redeliver = async (event: TailEvent): Promise<string> => {
    if (!options.forwardTo) return 'start tail with --forward-to <url> to re-deliver events to a local webhook';
    const result = await (session as TailSession).forward(event);
    return result.ok ? `re-delivered ${event.eventId} to ${options.forwardTo}: ${result.status} in ${Math.round(result.ms)} ms` : `re-delivery failed: ${result.error ?? `HTTP ${result.status}`}`;
  };
  let app: { unmount(): void; waitUntilExit(): Promise<unknown> } | undefined;
  await untilStopped((stop) => {
    app = render(
      createElement(TailApp, { appId: options.appId, domain: options.domain, channel, capacity: options.capacity, onSave: saveEvent, onRedeliver: redeliver, onQuit: stop }),
      { exitOnCtrlC: false, stdout: io.stdout as NodeJS.WriteStream, stderr: io.stderr as NodeJS.WriteStream },
    );
    void startTailSession(sessionOptions(options, catalog), handlers).then(
      (started) => {
        session = started;
      },
      (error: unknown) => {
        channel.send({ type: 'connection', state: 'failed', error: error instanceof Error ? error.message : String(error) });
      },
    );
    void app.waitUntilExit().then(stop);
  });
  // Stopped by a signal rather than `q`: give the terminal back before leaving.
  app?.unmount();
  await session?.close();
  return failed ? 1 : 0;
}
