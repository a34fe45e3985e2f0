import type { SchemaCatalog } from '../catalog/schemas.js';
import { globToRegExp } from '../catalog/glob.js';
import { eventIdOf, eventTypeOf, isCallbackType, type Envelope } from '../protocol/envelope.js';
import type { ConnectionState, ForwardResult, TailEvent } from './state.js';
import { escapeControl } from '../safe-text.js';
import { openCaptureFile, SaveError } from './capture-file.js';
import { summarizeEvent } from './summary.js';
import { loadSdk } from './sdk.js';

export interface TailSessionOptions {
  appId: string;
  appSecret: string;
  /** Resolved domain URL. */
  domain: string;
  /**
   * Append every received event here (NDJSON), synced before it is acknowledged. An event that cannot be saved
   * whole is not acknowledged with 200: the handler fails, the SDK acks code 500, and the platform pushes it again.
   */
  save?: string;
  /** Only events whose type matches one of these globs are kept; the others are acknowledged and dropped. */
  filters: readonly string[];
  /** Re-deliver each event to this webhook, as `replay` does. */
  forwardTo?: string;
  encryptKey?: string;
  verificationToken?: string;
  /** Schemas to validate events against as they arrive. */
  catalog?: SchemaCatalog;
}

export interface TailSessionHandlers {
  connection(state: ConnectionState, error?: string): void;
  event(event: TailEvent): void;
  forwarded(seq: number, result: ForwardResult): void;
  /** An event of a type that --filter leaves out: acknowledged and dropped. */
  dropped?(eventType: string): void;
  /** SDK errors and other things worth a line on stderr. */
  warning(text: string): void;
}

export interface TailSession {
  /** Re-deliver one event to --forward-to (the `r` key). */
  forward(event: TailEvent): Promise<ForwardResult>;
  close(): Promise<void>;
}

/** Remember the newest ids only, so that a long session stays bounded. */
function recentIds(limit: number): { seen(id: string): boolean } {
  const ids = new Set<string>();
  return {
    seen(id) {
      if (ids.has(id)) return true;
      ids.add(id);
      if (ids.size > limit) ids.delete(ids.values().next().value as string);
      return false;
    },
  };
}

/** Validate against the event type's schema; findings are worded as `validate` words them. */
async function createEventValidator(catalog: SchemaCatalog | undefined): Promise<(eventType: string, envelope: unknown) => { valid: boolean | undefined; findings: string[] }> {
  if (!catalog) return () => ({ valid: undefined, findings: [] });
  const { describeErrors } = await import('../validate/messages.js');
  return (eventType, envelope) => {
    const schema = catalog.forType(eventType);
    if (!schema) return { valid: undefined, findings: [] };
    if (schema.validate(envelope)) return { valid: true, findings: [] };
    const findings = describeErrors(schema.validate.errors ?? []).map((p) => `${p.pointer || '/'}: ${p.message}`);
    return { valid: false, findings };
  };
}

/**
 * Receive live events with the official SDK's WSClient. Every event type is taken (not only registered ones):
 * the SDK hands the dispatcher the whole envelope, and what the dispatcher returns becomes the ack.
 */
export async function startTailSession(options: TailSessionOptions, on: TailSessionHandlers): Promise<TailSession> {
  // As require() loads it (not import(), which first scans its 6 MB lib/index.js for named exports: ~0.2 s of CPU at
  // every tail start-up), with the build's code cache when it fits.
  const lark = await loadSdk();
  const saveFile = options.save !== undefined ? await openCaptureFile(options.save) : undefined;
  /** Events refused since saving started to fail; undefined while saving works. Said once, not once per event. */
  let refusedSinceFailure: number | undefined;
  const duplicates = recentIds(100_000);
  const filters = options.filters.map((glob) => globToRegExp(glob));
  let seq = 0;

  const forwarder = options.forwardTo ? await createForwarder(options) : undefined;
  const check = await createEventValidator(options.catalog);
  let saidCannotAnswer = false;

  /** What the dispatcher returns becomes the ack's data: a callback's answer, when the local handler gave one. */
  const handle = async (envelope: unknown): Promise<unknown> => {
    const eventType = eventTypeOf(envelope) ?? '(unknown type)';
    if (filters.length > 0 && !filters.some((re) => re.test(eventType))) {
      on.dropped?.(eventType);
      return;
    }
    const eventId = eventIdOf(envelope) ?? '(no id)';
    // Saved and synced before the ack goes back: nothing acknowledged is ever lost.
    if (saveFile) {
      try {
        await saveFile.append(JSON.stringify(envelope));
      } catch (error) {
        if (refusedSinceFailure === undefined) {
          on.warning(
            `${error instanceof Error ? error.message : String(error)}: events are not acknowledged (the SDK acks code 500, so the platform pushes them again) until saving works again`,
          );
          refusedSinceFailure = 0;
        }
        refusedSinceFailure++;
        throw error;
      }
      if (refusedSinceFailure !== undefined) {
        on.warning(`saving to ${saveFile.path} works again (${refusedSinceFailure} event${refusedSinceFailure === 1 ? ' was' : 's were'} refused meanwhile)`);
        refusedSinceFailure = undefined;
      }
    }
    const { valid, findings } = check(eventType, envelope);
    // What is shown of an event cannot drive the terminal: control characters become visible escapes.
    const event: TailEvent = {
      seq: ++seq,
      receivedAt: Date.now(),
      eventType: escapeControl(eventType),
      eventId: escapeControl(eventId),
      summary: escapeControl(summarizeEvent(eventType, envelope)),
      valid,
      findings: findings.map(escapeControl),
      duplicate: duplicates.seen(eventId),
      envelope,
    };
    on.event(event);
    if (isCallbackType(eventType)) {
      // A callback's answer is what the user sees: the local handler answers it, and its answer goes back in the ack.
      if (!forwarder) {
        if (!saidCannotAnswer) {
          saidCannotAnswer = true;
          on.warning('callbacks arrive, but tail cannot answer them: the user sees an error in the client (200671, no answer in time). Start tail with --forward-to <your callback handler> to have it answer them');
        }
        return undefined;
      }
      const result = await forwarder(event);
      on.forwarded(event.seq, result);
      return result.answerValue;
    }
    // Forwarding must not hold up the ack (the platform re-pushes after 3 s): it reports when it is done.
    if (forwarder) void forwarder(event).then((result) => on.forwarded(event.seq, result));
    return undefined;
  };

  // The SDK logs every handler failure; a save failure has been said once already.
  const isSaveFailure = (args: unknown[]): boolean => args.some((arg) => String(arg).includes('invoke event failed') && String(arg).includes(SaveError.name));
  const logger = {
    error: (...args: unknown[]) => {
      if (!isSaveFailure(args)) on.warning(`sdk: ${args.map(String).join(' ')}`);
    },
    warn: (...args: unknown[]) => on.warning(`sdk: ${args.map(String).join(' ')}`),
    info: () => {},
    debug: () => {},
    trace: () => {},
  };
  const client = new lark.WSClient({
    appId: options.appId,
    appSecret: options.appSecret,
    domain: options.domain,
    logger,
    loggerLevel: lark.LoggerLevel.warn,
    onReady: () => on.connection('connected'),
    onReconnecting: () => on.connection('reconnecting'),
    onReconnected: () => on.connection('connected'),
    onError: (error: Error) => on.connection('failed', error.message),
  } as ConstructorParameters<typeof lark.WSClient>[0]);
  on.connection('connecting');
  // Events being handled: close() lets them finish, so that the SDK sends their acks before the socket closes
  // (--max-events stops tail from inside the handler of the last event, before the SDK has acked it).
  const handling = new Set<Promise<unknown>>();
  const dispatcher = {
    invoke: async (data: unknown) => {
      const handled = handle(data);
      handling.add(handled);
      try {
        // A callback's answer (from the local handler) becomes the ack's data.
        return await handled;
      } finally {
        handling.delete(handled);
      }
    },
  };
  await client.start({ eventDispatcher: dispatcher as unknown as InstanceType<typeof lark.EventDispatcher> });

  return {
    forward: async (event) => {
      if (!forwarder) return { ok: false, ms: 0, error: 'no --forward-to given' };
      const result = await forwarder(event);
      on.forwarded(event.seq, result);
      return result;
    },
    close: async () => {
      await acksSent([...handling]);
      await closeNormally(client);
      await saveFile?.close();
    },
  };
}

/**
 * Wait for the events being handled to finish, and then for the SDK to send their acks (it does so as soon as the
 * handler's promise settles): a macrotask later. Bounded by the platform's 3 s ack deadline — an ack after it is
 * worth nothing, and a stuck handler must not keep tail from stopping.
 */
async function acksSent(handling: Promise<unknown>[]): Promise<void> {
  if (handling.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(handling), new Promise<void>((resolve) => (timer = setTimeout(resolve, 3000)))]);
  clearTimeout(timer);
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Close the WebSocket with a close frame, code 1000, and wait (briefly) for the server's answer, so that the
 * platform sees a client that left rather than one that vanished (1006). The SDK's own close() sends no code
 * (or, forced, none at all), so the socket is closed first, through the SDK's accessor when it has one.
 */
async function closeNormally(client: { close(params?: { force?: boolean }): void }): Promise<void> {
  type Socket = { readyState: number; close(code?: number, reason?: string): void; terminate(): void; once(event: 'close', listener: () => void): void };
  const socket = (client as unknown as { wsConfig?: { getWSInstance?(): Socket | null } }).wsConfig?.getWSInstance?.() ?? null;
  const OPEN = 1;
  const CLOSED = 3;
  if (!socket || socket.readyState !== OPEN) {
    client.close({ force: true });
    return;
  }
  // Our close frame first (1000); then the SDK's close, which marks the client closed (no reconnect), drops its
  // listeners and finds the socket already closing.
  socket.close(1000, 'tail stopped');
  client.close();
  if ((socket.readyState as number) === CLOSED) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([new Promise<void>((resolve) => socket.once('close', resolve)), new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000)))]);
  clearTimeout(timer);
  if ((socket.readyState as number) !== CLOSED) socket.terminate();
}

/** Forward with the same machinery as `replay`: fresh HTTP push, encrypted and signed when a key is given. */
async function createForwarder(options: TailSessionOptions): Promise<(event: TailEvent) => Promise<ForwardResult & { answerValue?: unknown }>> {
  const { createHttpTransport } = await import('../delivery/http-transport.js');
  const { judgeAttemptAnswer } = await import('../delivery/callback-answer.js');
  const { prepareEnvelope } = await import('../protocol/envelope.js');
  const { userAgent } = await import('../version.js');
  const transport = await createHttpTransport({
    url: options.forwardTo as string,
    timeoutMs: 3000,
    userAgent: userAgent(),
    connections: 4,
    ...(options.encryptKey ? { encryptKey: options.encryptKey } : {}),
  });
  return async (event) => {
    // Keep the event's own id (it is the same event), but write the local app's verification token.
    const envelope = prepareEnvelope(event.envelope as Envelope, {
      keepIds: true,
      ...(options.verificationToken !== undefined ? { verificationToken: options.verificationToken } : {}),
    });
    const delivery = { seq: event.seq, envelope, eventType: eventTypeOf(envelope) ?? event.eventType, eventId: event.eventId, source: 'tail', copy: 0 };
    // A callback's answer is read and checked as replay checks it; a good one is what the ack carries back.
    const outcome = judgeAttemptAnswer(delivery, await transport.send(delivery, 1), (type) => options.catalog?.answerFor(type));
    const answer = outcome.answer;
    return {
      ok: outcome.ok,
      ms: outcome.ms,
      ...(outcome.status !== undefined ? { status: outcome.status } : {}),
      ...(outcome.error ? { error: escapeControl(outcome.error) } : {}),
      ...(answer !== undefined ? { answer: escapeControl(answer.summary) } : {}),
      // Only a good answer is relayed: a bad one would show the user an error anyway, and the log says why.
      ...(answer !== undefined && outcome.ok ? { answerValue: answer.value } : {}),
    };
  };
}
