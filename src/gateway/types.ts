import type { ClientConfig } from '../protocol/frame.js';
import type { CallFilter, CallRecord } from './open-api/types.js';

/** How the gateway picks the one client an event goes to (the platform: cluster mode, one client at random). */
export type ClientPick = 'round-robin' | 'random';

export interface GatewayOptions {
  /** 0 (default): a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** When set, discovery with another app id gets the platform's auth-failed answer (code 514). */
  appId?: string;
  /** When set, discovery with another secret gets code 514. Never logged. */
  appSecret?: string;
  /** Split every payload into fragments of at most this many bytes (default: one frame per event). */
  fragmentSize?: number;
  /** Re-push an event that is not acked within `ackTimeoutMs` (default true, as the platform does). */
  redeliver?: boolean;
  /** How long a client has to ack a push (default 3000, the platform's deadline). */
  ackTimeoutMs?: number;
  /** Re-pushes of one event at most (default 4). */
  maxRedeliveries?: number;
  /** Sent in the discovery answer and in every pong (seconds). Default: the platform's. */
  clientConfig?: Partial<ClientConfig>;
  /** Default round-robin: predictable, and with n clients n events reach each one once. */
  pick?: ClientPick;
  /** For `pick: 'random'`; for tests. */
  random?: () => number;
  /** Every connection, discovery, push and ack, as it happens. */
  onEvent?: (event: GatewayEvent) => void;
  /** Finished pushes kept for `pushes()` and the control API (default 1000); Open API calls: five times as many. */
  historyLimit?: number;
  /** Lifetime of the access tokens the Open API hands out, in seconds (default 7200, the platform's). */
  tokenTtlSeconds?: number;
}

/** A connected WSClient as the control API and the log show it. */
export interface ClientInfo {
  /** `client-1`, `client-2`… in order of connection, never reused while the gateway runs. */
  id: string;
  app_id: string;
  /** `127.0.0.1:54321`. */
  remote: string;
  connected_at: string;
  pushes: number;
  acks: number;
  pings: number;
}

/** The ack of one push of an event. */
export interface AckRecord {
  /** Which push of the event was acked: 1 the first, 2 and up re-pushes. */
  attempt: number;
  client: string;
  /** `code` from the ack payload: 200 the handler returned, 500 it threw. */
  code: number;
  /** From sending the push to receiving its ack. */
  ack_ms: number;
  /** After the ack deadline of its push, or after the event had expired. */
  late: boolean;
  /** The handler's time as the client reports it in header `biz_rt` (the node SDK sends it negated: we keep its size). */
  handler_ms?: number;
  /** The handler's return value, decoded from the ack's base64 `data`. */
  data?: unknown;
  at: string;
}

export interface PushAttemptRecord {
  attempt: number;
  /** undefined when no client was connected at re-push time. */
  client?: string;
  seq_ids: number[];
  at: string;
}

/** What became of one event pushed through the gateway. */
export interface PushResult {
  message_id: string;
  event_type?: string;
  event_id?: string;
  acked: boolean;
  ack_code?: number;
  ack_ms?: number;
  handler_ms?: number;
  ack_data?: unknown;
  /** The first ack came after the deadline of its push (`ackTimeoutMs`). */
  late?: boolean;
  /** The client that acked; when none did yet, the one that got the first push. */
  client?: string;
  /** Every client the event was pushed to, in order. */
  clients: string[];
  /** Pushes so far (1 + re-pushes). */
  pushes: number;
  redelivered: number;
  fragments: number;
  bytes: number;
  /** From the first push to the first ack, or to the moment this result was taken. */
  total_ms: number;
  /** `pending` waiting for an ack, `acked`, `expired` (no ack after the last push), `closed` (gateway stopped). */
  state: 'pending' | 'acked' | 'expired' | 'closed';
}

/** The full record of a push, as `GET /_feishu-events/pushes` lists it. */
export interface PushRecord extends PushResult {
  attempts: PushAttemptRecord[];
  acks: AckRecord[];
}

export interface PushOptions {
  /** Override the gateway's fragment size for this event. */
  fragmentSize?: number;
  /** How long `push` waits for the first ack (default: the ack timeout). The gateway keeps re-pushing afterwards. */
  timeoutMs?: number;
}

/** Everything the gateway does, as one object a line in `gateway --json`. Field names are the NDJSON's. */
export type GatewayEvent = { at: string } & (
  | { type: 'listening'; domain: string; ws_path: string; control_api: string }
  | { type: 'discovery'; ok: boolean; app_id: string; code: number; msg?: string; remote: string }
  | { type: 'connected'; client: string; app_id: string; remote: string; clients: number }
  | { type: 'disconnected'; client: string; code: number; reason: string; clients: number }
  | { type: 'rejected'; remote: string; reason: string }
  | { type: 'ping'; client: string }
  | {
      type: 'push';
      message_id: string;
      event_type?: string;
      event_id?: string;
      attempt: number;
      client?: string;
      fragments: number;
      bytes: number;
      /** Why a re-push happened. */
      reason?: string;
    }
  | ({ type: 'ack'; message_id: string; event_type?: string; event_id?: string } & AckRecord)
  | { type: 'expired'; message_id: string; event_type?: string; event_id?: string; pushes: number; redeliver: boolean }
  | { type: 'frame_error'; client: string; error: string }
  /** A call of the app to the gateway's Open API (`/open-apis/…`), answered and recorded. */
  | ({ type: 'call' } & Omit<CallRecord, 'at'>)
  | { type: 'closed' }
);

/** What a running gateway offers to its owner. */
export interface Gateway {
  /** `http://127.0.0.1:PORT`: what to give to `WSClient({ domain })` and `replay --gateway`. */
  readonly domain: string;
  readonly port: number;
  readonly host: string;
  readonly clientConfig: ClientConfig;
  clients(): ClientInfo[];
  /** Resolves true as soon as a client is connected, false after `timeoutMs` without one. */
  waitForClient(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  /** Push one event to one client; resolves at its first ack or after `timeoutMs`. Throws NoClientError when none is connected. */
  push(envelope: unknown, options?: PushOptions): Promise<PushResult>;
  /** Recent pushes, oldest first (finished ones up to `historyLimit`, plus those still pending). */
  pushes(): PushRecord[];
  /** Recent calls of apps to the Open API under `/open-apis/`, oldest first, each with the event it belongs to. */
  calls(filter?: CallFilter): CallRecord[];
  /** Stop: close every client connection, the listening socket and every timer. */
  close(): Promise<void>;
}

export class NoClientError extends Error {
  constructor() {
    super('no WSClient is connected');
    this.name = 'NoClientError';
  }
}
