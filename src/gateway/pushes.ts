import { eventIdOf, eventTypeOf } from '../protocol/envelope.js';
import { decodeAckData, encodeFrame, eventFrames, getHeader, HeaderKey, parseAckPayload, type Frame } from '../protocol/frame.js';
import { pooledRandom } from '../protocol/random.js';
import type { ClientRegistry, ConnectedClient } from './clients.js';
import { NoClientError, type AckRecord, type GatewayEvent, type PushAttemptRecord, type PushOptions, type PushRecord, type PushResult } from './types.js';

export interface PushTrackerOptions {
  clients: ClientRegistry;
  ackTimeoutMs: number;
  redeliver: boolean;
  maxRedeliveries: number;
  fragmentSize?: number;
  historyLimit: number;
  emit: (event: GatewayEvent) => void;
  /** Header `instance_id` of every data frame. */
  instanceId?: string;
}

export interface PushTracker {
  push(envelope: unknown, options?: PushOptions): Promise<PushResult>;
  /** A data frame from a client: the ack of one of our pushes. */
  onAck(client: ConnectedClient, frame: Frame): void;
  /** A client connected: from now on, events wait for a client instead of being refused. */
  onClientConnected(): void;
  /** A client can take pushes (again): push the events that waited for one. */
  onClientAvailable(): void;
  records(): PushRecord[];
  /** One event's record, while it is remembered. */
  record(messageId: string): PushRecord | undefined;
  /** Events still waiting for an ack whose last push went to `client` (any client when undefined), or that wait for a client. */
  inFlight(client?: string): string[];
  close(): void;
}

type Attempt = PushAttemptRecord & { sentAt: number };

interface PushState {
  messageId: string;
  traceId: string;
  eventType?: string;
  eventId?: string;
  payload: Uint8Array;
  fragmentSize?: number;
  fragments: number;
  bytes: number;
  firstSentAt: number;
  ackedAt?: number;
  attempts: Attempt[];
  acks: AckRecord[];
  /** Acks received beyond MAX_ACKS_PER_PUSH: counted, not kept. */
  acksDropped: number;
  state: PushResult['state'];
  timer?: NodeJS.Timeout;
  waiters: Set<() => void>;
  /** Waiting for a client to push to. */
  held: boolean;
}

/**
 * Acks kept per push: a client acking one message over and over (a bug, or hostile) must not grow the gateway's
 * memory or `/pushes` without bound. The first ones are kept (the first answers the push); the rest are counted.
 */
export const MAX_ACKS_PER_PUSH = 100;
/**
 * Fragments per event at most: `fragment_size: 1` on a 200 KB event would be 200,000 frames, built and sent at
 * once, holding the gateway up for many seconds. The platform splits large events into a handful.
 */
export const MAX_FRAGMENTS = 1000;

/** Acks are matched by the SeqID they echo; this many SeqIDs are remembered (oldest forgotten first). */
const SEQ_INDEX_LIMIT = 100_000;

/** Message and trace ids come from one pooled random buffer: a `randomBytes` call on every push was 8% of the gateway's time. */
const random = pooledRandom();
const hex = (bytes: number): string => {
  const view = random(bytes);
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('hex');
};
const isoNow = (): string => new Date().toISOString();
const round1 = (ms: number): number => Math.round(ms * 10) / 10;


function checkFragmentSize(size: number | undefined): void {
  if (size !== undefined && (!Number.isInteger(size) || size < 1)) throw new RangeError(`fragment size must be a whole number of bytes ≥ 1, got ${size}`);
}

/**
 * The life of each pushed event: pushed to one client; acked with code 200, which ends it; or, after `ackTimeoutMs`
 * without an ack of code 200 (no ack, or an ack with another code — the handler threw), re-pushed — same message_id
 * and payload, fresh SeqIDs, to whichever client is next — at most `maxRedeliveries` times, then `expired` (no ack)
 * or `failed` (only error codes). Acks that arrive after that are still recorded (as `late`), and the first one
 * still answers a `push` call that is waiting for it. A push that is due while no client can take it waits (held)
 * and goes out as soon as one can; waiting does not count as a re-push.
 */
export function createPushTracker(options: PushTrackerOptions): PushTracker {
  checkFragmentSize(options.fragmentSize);
  const pending = new Map<string, PushState>();
  const history: PushState[] = [];
  const bySeqId = new Map<number, { push: PushState; attempt: number }>();
  const byMessageId = new Map<string, PushState>();
  const held: PushState[] = [];
  let nextSeqId = 1;
  let nextLogId = 1;
  let everConnected = false;

  const eventFields = (push: PushState): { event_type?: string; event_id?: string } => ({
    ...(push.eventType !== undefined ? { event_type: push.eventType } : {}),
    ...(push.eventId !== undefined ? { event_id: push.eventId } : {}),
  });

  const wakeWaiters = (push: PushState): void => {
    for (const wake of [...push.waiters]) wake();
  };

  const finish = (push: PushState, state: PushResult['state']): void => {
    if (push.state !== 'pending') return;
    push.state = state;
    clearTimeout(push.timer);
    push.timer = undefined;
    push.payload = new Uint8Array(0);
    pending.delete(push.messageId);
    history.push(push);
    while (history.length > options.historyLimit) {
      const old = history.shift() as PushState;
      if (byMessageId.get(old.messageId) === old) byMessageId.delete(old.messageId);
    }
    // An expired push may still be acked late, and whoever waits for it keeps waiting until its own deadline.
    if (state !== 'expired') wakeWaiters(push);
  };

  const remember = (seqId: number, push: PushState, attempt: number): void => {
    bySeqId.set(seqId, { push, attempt });
    if (bySeqId.size > SEQ_INDEX_LIMIT) bySeqId.delete(bySeqId.keys().next().value as number);
  };

  const send = (push: PushState, reason?: string): void => {
    const attempt = push.attempts.length + 1;
    const client = options.clients.pick();
    if (!client) {
      // Nobody to push to: wait for a client, as the platform keeps an event until it can push it again.
      if (!push.held) {
        push.held = true;
        held.push(push);
        options.emit({ at: isoNow(), type: 'held', message_id: push.messageId, ...eventFields(push), attempt, reason: reason ?? 'no client is connected' });
      }
      return;
    }
    const record: Attempt = { attempt, seq_ids: [], at: isoNow(), sentAt: performance.now(), ...(reason !== undefined ? { reason } : {}) };
    const frames = eventFrames({
      payload: push.payload,
      messageId: push.messageId,
      traceId: push.traceId,
      service: client.serviceId,
      firstSeqId: nextSeqId,
      logId: nextLogId++,
      ...(options.instanceId !== undefined ? { instanceId: options.instanceId } : {}),
      ...(push.fragmentSize !== undefined ? { fragmentSize: push.fragmentSize } : {}),
    });
    nextSeqId += frames.length;
    record.client = client.id;
    record.seq_ids = frames.map((f) => Number(f.seqId));
    for (const seqId of record.seq_ids) remember(seqId, push, attempt);
    // A closed socket is not an error here: the push stays unacked and is re-pushed like any other.
    client.send(frames.map(encodeFrame));
    client.pushes++;
    push.attempts.push(record);
    options.emit({
      at: record.at,
      type: 'push',
      message_id: push.messageId,
      ...eventFields(push),
      attempt,
      client: client.id,
      fragments: push.fragments,
      bytes: push.bytes,
      ...(reason !== undefined ? { reason } : {}),
    });
    push.timer = setTimeout(() => onAckTimeout(push), options.ackTimeoutMs);
  };

  const onAckTimeout = (push: PushState): void => {
    push.timer = undefined;
    if (push.state !== 'pending') return;
    const redelivered = push.attempts.length - 1;
    const last = push.attempts.at(-1);
    const lastAck = push.acks.filter((a) => a.attempt === last?.attempt).at(-1);
    if (options.redeliver && redelivered < options.maxRedeliveries) {
      send(push, lastAck !== undefined ? `acked with code ${lastAck.code}` : `no ack within ${options.ackTimeoutMs} ms`);
      return;
    }
    const lastCode = push.acks.at(-1)?.code;
    options.emit({
      at: isoNow(),
      type: 'expired',
      message_id: push.messageId,
      ...eventFields(push),
      pushes: push.attempts.length,
      redeliver: options.redeliver,
      ...(lastCode !== undefined ? { last_code: lastCode } : {}),
    });
    finish(push, push.acks.length > 0 ? 'failed' : 'expired');
  };

  // Built by assignment in the order of its keys (what JSON shows), not with a spread per optional key: one result
  // per push, and the temporary objects cost most when pushes spread over many clients.
  const resultOf = (push: PushState): PushResult => {
    let ack: AckRecord | undefined;
    for (const a of push.acks) {
      if (a.code === 200) {
        ack = a;
        break;
      }
    }
    ack ??= push.acks.at(-1);
    const clients: string[] = [];
    for (const a of push.attempts) if (a.client !== undefined) clients.push(a.client);
    const client = ack?.client ?? clients[0];
    const result: PushResult = { message_id: push.messageId } as PushResult;
    if (push.eventType !== undefined) result.event_type = push.eventType;
    if (push.eventId !== undefined) result.event_id = push.eventId;
    result.acked = ack !== undefined;
    if (ack !== undefined) {
      result.ack_code = ack.code;
      result.ack_ms = ack.ack_ms;
    }
    result.ack_count = push.acks.length;
    if (ack?.handler_ms !== undefined) result.handler_ms = ack.handler_ms;
    if (ack?.data !== undefined) result.ack_data = ack.data;
    if (ack !== undefined) result.late = ack.late;
    if (client !== undefined) result.client = client;
    result.clients = clients;
    result.pushes = push.attempts.length;
    result.redelivered = Math.max(0, push.attempts.length - 1);
    result.fragments = push.fragments;
    result.bytes = push.bytes;
    result.total_ms = round1((push.ackedAt ?? performance.now()) - push.firstSentAt);
    result.state = push.state;
    if (push.held) result.held = true;
    return result;
  };

  const recordOf = (push: PushState): PushRecord => ({
    ...resultOf(push),
    attempts: push.attempts.map(({ sentAt: _sentAt, ...rest }) => rest),
    acks: [...push.acks],
    ...(push.acksDropped > 0 ? { acks_dropped: push.acksDropped } : {}),
  });

  return {
    async push(envelope, pushOptions = {}) {
      checkFragmentSize(pushOptions.fragmentSize);
      // Nobody has ever connected: there is no app to wait for. After that, events wait for a client.
      if (options.clients.size === 0 && !everConnected) throw new NoClientError();
      const payload = Buffer.from(JSON.stringify(envelope), 'utf8');
      const fragmentSize = pushOptions.fragmentSize ?? options.fragmentSize;
      if (fragmentSize !== undefined && Math.ceil(payload.length / fragmentSize) > MAX_FRAGMENTS) {
        throw new RangeError(`fragment size ${fragmentSize} would split this ${payload.length}-byte event into more than ${MAX_FRAGMENTS} fragments: use at least ${Math.ceil(payload.length / MAX_FRAGMENTS)}`);
      }
      const eventType = eventTypeOf(envelope);
      const eventId = eventIdOf(envelope);
      const push: PushState = {
        messageId: hex(12),
        traceId: hex(8),
        ...(eventType !== undefined ? { eventType } : {}),
        ...(eventId !== undefined ? { eventId } : {}),
        payload,
        ...(fragmentSize !== undefined ? { fragmentSize } : {}),
        fragments: fragmentSize === undefined ? 1 : Math.max(1, Math.ceil(payload.length / fragmentSize)),
        bytes: payload.length,
        firstSentAt: performance.now(),
        attempts: [],
        acks: [],
        acksDropped: 0,
        state: 'pending',
        waiters: new Set(),
        held: false,
      };
      pending.set(push.messageId, push);
      byMessageId.set(push.messageId, push);
      send(push);
      const timeoutMs = pushOptions.timeoutMs ?? options.ackTimeoutMs;
      if (push.acks.length === 0 && push.state !== 'closed') {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearTimeout(timer);
            push.waiters.delete(done);
            resolve();
          };
          const timer = setTimeout(done, timeoutMs);
          push.waiters.add(done);
        });
      }
      return resultOf(push);
    },

    onAck(client, frame) {
      const ack = parseAckPayload(frame.payload);
      if (ack === undefined) {
        options.emit({ at: isoNow(), type: 'frame_error', client: client.id, error: 'a data frame without an ack payload ({"code":…})' });
        return;
      }
      const messageId = getHeader(frame, HeaderKey.messageId);
      let found = typeof frame.seqId === 'number' ? bySeqId.get(frame.seqId) : undefined;
      if (found !== undefined && messageId !== undefined && found.push.messageId !== messageId) found = undefined;
      if (found === undefined && messageId !== undefined) {
        const push = byMessageId.get(messageId);
        // Without a known SeqID, credit the last push of the event to this client.
        const attempt = push?.attempts.filter((a) => a.client === client.id).at(-1) ?? push?.attempts.at(-1);
        if (push && attempt) found = { push, attempt: attempt.attempt };
      }
      if (found === undefined) {
        options.emit({ at: isoNow(), type: 'frame_error', client: client.id, error: `an ack for a message this gateway does not know (message_id ${messageId ?? 'missing'})` });
        return;
      }
      const { push, attempt } = found;
      const sent = push.attempts[attempt - 1] as Attempt;
      const now = performance.now();
      const bizRt = Number(getHeader(frame, HeaderKey.bizRt));
      const data = decodeAckData(ack.data);
      const record: AckRecord = {
        attempt,
        client: client.id,
        code: ack.code,
        ack_ms: round1(now - sent.sentAt),
        late: now - sent.sentAt > options.ackTimeoutMs || push.state !== 'pending',
      } as AckRecord;
      if (Number.isFinite(bizRt)) record.handler_ms = Math.abs(bizRt);
      if (data !== undefined) record.data = data;
      record.at = isoNow();
      client.acks++;
      if (push.acks.length < MAX_ACKS_PER_PUSH) push.acks.push(record);
      else push.acksDropped++;
      options.emit({ type: 'ack', message_id: push.messageId, ...eventFields(push), ...record });
      if (record.code === 200 && push.ackedAt === undefined) push.ackedAt = now;
      // The first ack of any code answers a waiting `push` call; only code 200 ends the event. Any other code is
      // handled like a missing ack: the event is re-pushed when its ack deadline passes.
      if (push.acks.length === 1) wakeWaiters(push);
      if (record.code === 200) finish(push, 'acked');
    },

    onClientConnected() {
      everConnected = true;
    },

    onClientAvailable() {
      everConnected = true;
      while (held.length > 0) {
        const push = held[0] as PushState;
        if (push.state !== 'pending') {
          held.shift();
          continue;
        }
        push.held = false;
        held.shift();
        const before = push.attempts.length;
        send(push, push.attempts.length === 0 ? 'waited for a client' : 'waited for a client to re-push to');
        if (push.attempts.length === before) {
          // Still nobody to take it (the client went again): it is back at the end of the queue; stop here.
          break;
        }
      }
    },

    records() {
      return [...history, ...pending.values()].map(recordOf);
    },

    record(messageId) {
      const push = byMessageId.get(messageId);
      return push === undefined ? undefined : recordOf(push);
    },

    inFlight(client) {
      const ids: string[] = [];
      for (const push of pending.values()) {
        if (push.held || client === undefined || push.attempts.at(-1)?.client === client) ids.push(push.messageId);
      }
      return ids;
    },

    close() {
      held.length = 0;
      for (const push of [...pending.values()]) finish(push, 'closed');
      bySeqId.clear();
    },
  };
}
