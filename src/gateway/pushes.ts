import { randomBytes } from 'node:crypto';
import { eventIdOf, eventTypeOf } from '../protocol/envelope.js';
import { encodeFrame, eventFrames, getHeader, HeaderKey, parseAckPayload, type Frame } from '../protocol/frame.js';
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
}

export interface PushTracker {
  push(envelope: unknown, options?: PushOptions): Promise<PushResult>;
  /** A data frame from a client: the ack of one of our pushes. */
  onAck(client: ConnectedClient, frame: Frame): void;
  records(): PushRecord[];
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
  state: PushResult['state'];
  timer?: NodeJS.Timeout;
  waiters: Set<() => void>;
}

/** Acks are matched by the SeqID they echo; this many SeqIDs are remembered (oldest forgotten first). */
const SEQ_INDEX_LIMIT = 100_000;

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const isoNow = (): string => new Date().toISOString();
const round1 = (ms: number): number => Math.round(ms * 10) / 10;

function decodeAckData(data: string | undefined): unknown {
  if (data === undefined) return undefined;
  const text = Buffer.from(data, 'base64').toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function checkFragmentSize(size: number | undefined): void {
  if (size !== undefined && (!Number.isInteger(size) || size < 1)) throw new RangeError(`fragment size must be a whole number of bytes ≥ 1, got ${size}`);
}

/**
 * The life of each pushed event: pushed to one client; acked (any code ends it: only a missing ack is re-pushed);
 * or, after `ackTimeoutMs` without an ack, re-pushed — same message_id and payload, fresh SeqIDs, to whichever
 * client is next — at most `maxRedeliveries` times, then expired. Acks that arrive after that are still recorded
 * (as `late`), and the first one still answers a `push` call that is waiting for it.
 */
export function createPushTracker(options: PushTrackerOptions): PushTracker {
  checkFragmentSize(options.fragmentSize);
  const pending = new Map<string, PushState>();
  const history: PushState[] = [];
  const bySeqId = new Map<number, { push: PushState; attempt: number }>();
  const byMessageId = new Map<string, PushState>();
  let nextSeqId = 1;
  let nextLogId = 1;

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
    const record: Attempt = { attempt, seq_ids: [], at: isoNow(), sentAt: performance.now() };
    if (client) {
      const frames = eventFrames({
        payload: push.payload,
        messageId: push.messageId,
        traceId: push.traceId,
        service: client.serviceId,
        firstSeqId: nextSeqId,
        logId: nextLogId++,
        ...(push.fragmentSize !== undefined ? { fragmentSize: push.fragmentSize } : {}),
      });
      nextSeqId += frames.length;
      record.client = client.id;
      record.seq_ids = frames.map((f) => Number(f.seqId));
      for (const seqId of record.seq_ids) remember(seqId, push, attempt);
      // A closed socket is not an error here: the push stays unacked and is re-pushed like any other.
      client.send(frames.map(encodeFrame));
      client.pushes++;
    }
    push.attempts.push(record);
    options.emit({
      at: record.at,
      type: 'push',
      message_id: push.messageId,
      ...eventFields(push),
      attempt,
      ...(record.client !== undefined ? { client: record.client } : {}),
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
    if (options.redeliver && redelivered < options.maxRedeliveries) {
      const last = push.attempts.at(-1);
      send(push, last?.client === undefined ? 'no client was connected' : `no ack within ${options.ackTimeoutMs} ms`);
      return;
    }
    options.emit({ at: isoNow(), type: 'expired', message_id: push.messageId, ...eventFields(push), pushes: push.attempts.length, redeliver: options.redeliver });
    finish(push, 'expired');
  };

  const resultOf = (push: PushState): PushResult => {
    const ack = push.acks[0];
    const firstClient = push.attempts.find((a) => a.client !== undefined)?.client;
    const client = ack?.client ?? firstClient;
    const clients = push.attempts.flatMap((a) => (a.client === undefined ? [] : [a.client]));
    return {
      message_id: push.messageId,
      ...eventFields(push),
      acked: ack !== undefined,
      ...(ack !== undefined ? { ack_code: ack.code, ack_ms: ack.ack_ms } : {}),
      ...(ack?.handler_ms !== undefined ? { handler_ms: ack.handler_ms } : {}),
      ...(ack?.data !== undefined ? { ack_data: ack.data } : {}),
      ...(ack !== undefined ? { late: ack.late } : {}),
      ...(client !== undefined ? { client } : {}),
      clients,
      pushes: push.attempts.length,
      redelivered: Math.max(0, push.attempts.length - 1),
      fragments: push.fragments,
      bytes: push.bytes,
      total_ms: round1((push.ackedAt ?? performance.now()) - push.firstSentAt),
      state: push.state,
    };
  };

  const recordOf = (push: PushState): PushRecord => ({
    ...resultOf(push),
    attempts: push.attempts.map(({ sentAt: _sentAt, ...rest }) => rest),
    acks: [...push.acks],
  });

  return {
    async push(envelope, pushOptions = {}) {
      checkFragmentSize(pushOptions.fragmentSize);
      if (options.clients.size === 0) throw new NoClientError();
      const payload = Buffer.from(JSON.stringify(envelope), 'utf8');
      const fragmentSize = pushOptions.fragmentSize ?? options.fragmentSize;
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
        state: 'pending',
        waiters: new Set(),
      };
      pending.set(push.messageId, push);
      byMessageId.set(push.messageId, push);
      send(push);
      const timeoutMs = pushOptions.timeoutMs ?? options.ackTimeoutMs;
      if (push.acks.length === 0 && (push.state === 'pending' || push.state === 'expired')) {
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
      const data = decodeAckData(typeof ack.data === 'string' ? ack.data : undefined);
      const record: AckRecord = {
        attempt,
        client: client.id,
        code: ack.code,
        ack_ms: round1(now - sent.sentAt),
        late: now - sent.sentAt > options.ackTimeoutMs || push.state !== 'pending',
        ...(Number.isFinite(bizRt) ? { handler_ms: Math.abs(bizRt) } : {}),
        ...(data !== undefined ? { data } : {}),
        at: isoNow(),
      };
      client.acks++;
      push.acks.push(record);
      options.emit({ type: 'ack', message_id: push.messageId, ...eventFields(push), ...record });
      if (push.acks.length === 1) {
        push.ackedAt = now;
        wakeWaiters(push);
      }
      finish(push, 'acked');
    },

    records() {
      return [...history, ...pending.values()].map(recordOf);
    },

    close() {
      for (const push of [...pending.values()]) finish(push, 'closed');
      bySeqId.clear();
    },
  };
}
