// The resilience report: what each injected fault did to each client, read off the gateway's own event stream.
// The server carries faults out (it owns the sockets); this book keeps the records and the refusals still to serve.
import type { ConnectedClient } from './clients.js';
import { API_FAULTS, formatFaultSpec, type FaultSpec } from './fault-spec.js';
import type { PushTracker } from './pushes.js';
import type { FaultEventRecord, FaultRecord, GatewayEvent } from './types.js';

export interface FaultBookOptions {
  tracker: Pick<PushTracker, 'inFlight' | 'record'>;
  emit: (event: GatewayEvent) => void;
  /** Records kept (oldest forgotten first); default 1000. */
  limit?: number;
}

export interface EndpointRefusal {
  fault: string;
  /** What this refusal does: an HTTP 5xx, an error code in the body, or a connection reset. */
  how: '5xx' | 'code' | 'reset';
  code: number;
  left: number;
}

export interface HandshakeRefusal {
  fault: string;
  status: number;
  left: number;
}

export interface FaultBook {
  /** Open the records of a fault that hits `clients` (null: the gateway as a whole). Emits `fault`. */
  open(spec: FaultSpec, clients: readonly ConnectedClient[] | null): FaultRecord[];
  /** Every gateway event goes through here: discovery, connections, pushes and acks are what the report is made of. */
  observe(event: GatewayEvent): void;
  /** The gateway itself is closing this client's connection (drop, close, restart): its close is no sign from the app. */
  closingByGateway(clientId: string): void;
  /** The next endpoint request to refuse, if a refuse-endpoint fault has refusals left. */
  takeEndpointRefusal(): EndpointRefusal | undefined;
  takeHandshakeRefusal(): HandshakeRefusal | undefined;
  /** A `slow` fault delayed a push or pong to this client. */
  delayed(clientId: string): void;
  /** `clear`: end standing faults (for these clients, or all) and the refusals left. */
  clear(clientIds: readonly string[] | null): void;
  report(): FaultRecord[];
}

interface Entry {
  record: Omit<FaultRecord, 'events' | 'duplicates' | 'unacked'>;
  startedAt: number;
  messageIds: Set<string>;
  /** Waiting for a new connection of the app. */
  awaitingReconnect: boolean;
  refusalsLeft: number;
  refusalsTotal: number;
  spec: FaultSpec;
  /** Open API faults: the calls shaped, by method and path; retries on those; when a retry first succeeded. */
  api?: { keys: Set<string>; shaped: number; retries: number; retryOkMs: number | null };
}

const round = (ms: number): number => Math.round(ms);
/** Events listed per record at most: a fault that stays active must not grow its record without end. */
const EVENTS_PER_RECORD = 10_000;

export function createFaultBook(options: FaultBookOptions): FaultBook {
  const entries: Entry[] = [];
  const byGateway = new Set<string>();
  const limit = options.limit ?? 1000;
  let nextId = 1;

  const since = (entry: Entry): number => round(performance.now() - entry.startedAt);
  const active = (): Entry[] => entries.filter((e) => e.record.state === 'active');

  const eventsOf = (entry: Entry): FaultEventRecord[] => {
    const at = Date.parse(entry.record.at);
    const out: FaultEventRecord[] = [];
    for (const id of entry.messageIds) {
      const push = options.tracker.record(id);
      if (push === undefined) continue;
      const ok = push.acks.find((a) => a.code === 200);
      out.push({
        message_id: push.message_id,
        ...(push.event_type !== undefined ? { event_type: push.event_type } : {}),
        ...(push.event_id !== undefined ? { event_id: push.event_id } : {}),
        pushes: push.pushes,
        acks: push.acks.length,
        acked_ms: ok === undefined ? null : Math.max(0, Date.parse(ok.at) - at),
        acked_at: ok?.at ?? null,
        state: push.state,
      });
    }
    return out;
  };

  const full = (entry: Entry): FaultRecord => {
    const events = eventsOf(entry);
    return {
      ...entry.record,
      ...(entry.spec.kind === 'refuse-endpoint' || entry.spec.kind === 'refuse-handshake' ? { refused: entry.refusalsTotal - entry.refusalsLeft } : {}),
      ...(entry.api !== undefined ? { calls: { shaped: entry.api.shaped, retries: entry.api.retries, retry_ok_ms: entry.api.retryOkMs } } : {}),
      events,
      duplicates: events.filter((e) => e.acks > 1).length,
      unacked: events.filter((e) => e.acked_ms === null).length,
    };
  };

  const finish = (entry: Entry, state: FaultRecord['state']): void => {
    if (entry.record.state !== 'active') return;
    entry.record.state = state;
    options.emit({ ...full(entry), type: 'fault_report', at: entry.record.at });
  };

  const takeRefusal = (kind: 'refuse-endpoint' | 'refuse-handshake'): Entry | undefined => {
    const entry = entries.find((e) => e.spec.kind === kind && e.refusalsLeft > 0 && e.record.state === 'active');
    if (entry) entry.refusalsLeft--;
    return entry;
  };

  return {
    open(spec, clients) {
      const id = `fault-${nextId++}`;
      const at = new Date().toISOString();
      const startedAt = performance.now();
      const targets: (ConnectedClient | null)[] = clients === null || clients.length === 0 ? [null] : [...clients];
      const opened: Entry[] = targets.map((client) => {
        const refusals = spec.kind === 'refuse-endpoint' || spec.kind === 'refuse-handshake' ? spec.count : 0;
        return {
          record: {
            id,
            kind: spec.kind,
            spec: formatFaultSpec(spec),
            client: client?.id ?? null,
            app_id: client?.appId ?? null,
            at,
            noticed_ms: null,
            noticed_by: null,
            reconnected_ms: null,
            new_client: null,
            receiving_ms: null,
            ...(spec.kind === 'slow' ? { delayed: 0 } : {}),
            state: 'active',
          },
          startedAt,
          messageIds: new Set(options.tracker.inFlight(client === null ? undefined : client.id)),
          awaitingReconnect: spec.kind === 'drop' || spec.kind === 'close' || spec.kind === 'restart' || refusals > 0,
          refusalsLeft: refusals,
          refusalsTotal: refusals,
          spec,
          ...(API_FAULTS.includes(spec.kind) ? { api: { keys: new Set<string>(), shaped: 0, retries: 0, retryOkMs: null } } : {}),
        };
      });
      entries.push(...opened);
      while (entries.length > limit) entries.shift();
      options.emit({ at, type: 'fault', id, kind: spec.kind, spec: formatFaultSpec(spec), clients: opened.flatMap((e) => (e.record.client === null ? [] : [e.record.client])) });
      return opened.map(full);
    },

    observe(event) {
      switch (event.type) {
        case 'discovery':
        case 'refused':
          if (event.type === 'refused' && event.what !== 'endpoint') return;
          for (const entry of active()) {
            if (entry.record.noticed_ms !== null || entry.record.client === null || entry.record.app_id !== event.app_id) continue;
            if (!entry.awaitingReconnect) continue;
            entry.record.noticed_ms = since(entry);
            entry.record.noticed_by = 'endpoint discovery';
            break;
          }
          return;
        case 'disconnected': {
          const gatewayDid = byGateway.delete(event.client);
          for (const entry of active()) {
            if (entry.record.client !== event.client) continue;
            if (!gatewayDid && entry.record.noticed_ms === null) {
              entry.record.noticed_ms = since(entry);
              entry.record.noticed_by = 'closed the connection';
            }
            // A half-open or slow client that went away is expected back.
            entry.awaitingReconnect = true;
          }
          return;
        }
        case 'connected': {
          const entry = active().find(
            (e) =>
              e.awaitingReconnect &&
              e.record.reconnected_ms === null &&
              e.record.client !== event.client &&
              (e.record.app_id === null || e.record.app_id === event.app_id) &&
              e.refusalsLeft === 0,
          );
          if (!entry) return;
          entry.record.reconnected_ms = since(entry);
          entry.record.new_client = event.client;
          if (entry.record.app_id === null) entry.record.app_id = event.app_id;
          if (entry.record.noticed_ms === null && entry.record.client !== null) {
            entry.record.noticed_ms = entry.record.reconnected_ms;
            entry.record.noticed_by = 'reconnected';
          }
          return;
        }
        case 'push':
        case 'held':
          for (const entry of active()) {
            // A slow client's own pushes; for a refusal, only once refusing has begun; for the others, the outage.
            if (entry.spec.kind === 'slow' && (event.type !== 'push' || event.client !== entry.record.client)) continue;
            if (entry.refusalsTotal > 0 && entry.refusalsLeft === entry.refusalsTotal) continue;
            if (entry.messageIds.size < EVENTS_PER_RECORD) entry.messageIds.add(event.message_id);
          }
          return;
        case 'call': {
          // Open API faults: the calls they shaped, and whether the app's next try on the same API succeeded.
          const key = `${event.method} ${event.path}`;
          const ok = event.status === 200 && event.code === 0;
          for (const entry of active()) {
            const api = entry.api;
            if (api === undefined) continue;
            if (api.keys.has(key)) api.retries++;
            if (event.fault_id === entry.record.id) {
              api.shaped++;
              api.keys.add(key);
              const spec = entry.spec;
              if (spec.kind === 'api-slow' && spec.count > 0 && api.shaped >= spec.count) finish(entry, 'recovered');
            } else if (ok && api.keys.has(key) && api.retryOkMs === null && entry.spec.kind !== 'api-slow') {
              api.retryOkMs = since(entry);
              finish(entry, 'recovered');
            }
          }
          return;
        }
        case 'ack':
          for (const entry of active()) {
            if (entry.record.new_client !== event.client || entry.record.receiving_ms !== null) continue;
            entry.record.receiving_ms = since(entry);
            finish(entry, 'recovered');
          }
          return;
        default:
          return;
      }
    },

    closingByGateway(clientId) {
      byGateway.add(clientId);
    },

    takeEndpointRefusal() {
      const entry = takeRefusal('refuse-endpoint');
      if (!entry || entry.spec.kind !== 'refuse-endpoint') return undefined;
      const index = entry.refusalsTotal - entry.refusalsLeft - 1;
      const how = entry.spec.how === 'mixed' ? (['5xx', 'code', 'reset'] as const)[index % 3] ?? '5xx' : entry.spec.how;
      return { fault: entry.record.id, how, code: entry.spec.code, left: entry.refusalsLeft };
    },

    takeHandshakeRefusal() {
      const entry = takeRefusal('refuse-handshake');
      if (!entry || entry.spec.kind !== 'refuse-handshake') return undefined;
      return { fault: entry.record.id, status: entry.spec.status, left: entry.refusalsLeft };
    },

    delayed(clientId) {
      for (const entry of active()) if (entry.record.client === clientId && entry.record.delayed !== undefined) entry.record.delayed++;
    },

    clear(clientIds) {
      for (const entry of active()) {
        const standing = entry.spec.kind === 'slow' || entry.spec.kind === 'half-open' || (entry.api !== undefined && clientIds === null);
        const refusal = entry.refusalsLeft > 0;
        if (standing && (clientIds === null || (entry.record.client !== null && clientIds.includes(entry.record.client)))) finish(entry, 'cleared');
        else if (refusal && clientIds === null) {
          entry.refusalsLeft = 0;
          finish(entry, 'cleared');
        }
      }
    },

    report() {
      return entries.map(full);
    },
  };
}
