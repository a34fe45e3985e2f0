import type { ClientInfo, ClientPick } from './types.js';

/** A connected WSClient, whatever carries its frames. */
export interface ConnectedClient {
  readonly id: string;
  readonly appId: string;
  readonly remote: string;
  readonly serviceId: number;
  readonly connectedAt: Date;
  pushes: number;
  acks: number;
  pings: number;
  /** A `half-open` fault: the gateway acts as if the connection were gone (no pongs, no pushes, frames ignored). */
  halfOpen: boolean;
  /** A `slow` fault: pushes and pongs wait this long (0: none). */
  slowMs: number;
  /** False until the client's first ping (or a second after connecting): see the server. */
  ready?: boolean;
  /** Send encoded frames in order; false when the connection is no longer open. */
  send(frames: readonly Uint8Array[]): boolean;
}

export function clientInfo(client: ConnectedClient): ClientInfo {
  return {
    id: client.id,
    app_id: client.appId,
    remote: client.remote,
    connected_at: client.connectedAt.toISOString(),
    pushes: client.pushes,
    acks: client.acks,
    pings: client.pings,
    half_open: client.halfOpen,
    slow_ms: client.slowMs,
  };
}

export interface ClientRegistry {
  add(client: ConnectedClient): void;
  remove(id: string): ConnectedClient | undefined;
  get(id: string): ConnectedClient | undefined;
  list(): ConnectedClient[];
  readonly size: number;
  /** The one client the next event goes to (cluster mode), or undefined when none can take it (half-open ones cannot). */
  pick(): ConnectedClient | undefined;
  /** Resolves true once a client is connected, false after `timeoutMs` (or when aborted, or on `close`). */
  waitForClient(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  /** Release every waiter (with false). */
  close(): void;
}

/** Half-open clients cannot take pushes, nor clients not ready yet. */
const canTake = (client: ConnectedClient): boolean => !client.halfOpen && client.ready !== false;

export function createClientRegistry(pick: ClientPick = 'round-robin', random: () => number = Math.random): ClientRegistry {
  // A Map keeps connection order, which is the round-robin order.
  const clients = new Map<string, ConnectedClient>();
  /** The clients in connection order, as an array: pick() runs on every push and walks it. */
  let order: ConnectedClient[] = [];
  const waiters = new Set<(connected: boolean) => void>();
  let turn = 0;
  return {
    add(client) {
      clients.set(client.id, client);
      order = [...clients.values()];
      for (const wake of [...waiters]) wake(true);
    },
    remove(id) {
      const client = clients.get(id);
      if (clients.delete(id)) order = [...clients.values()];
      return client;
    },
    get(id) {
      return clients.get(id);
    },
    list() {
      return [...clients.values()];
    },
    get size() {
      return clients.size;
    },
    pick() {
      // Called for every push: the clients that can take it are counted, then the chosen one found, without
      // building a list (with 100 clients that was an array of 100 per push). When all of them can (the usual
      // case), the chosen one is found by its index.
      let count = 0;
      for (let i = 0; i < order.length; i++) if (canTake(order[i] as ConnectedClient)) count++;
      if (count === 0) return undefined;
      let index: number;
      if (pick === 'random') {
        index = Math.floor(random() * count);
        if (!(index >= 0 && index < count)) index = 0;
      } else {
        index = turn % count;
        turn = (turn + 1) % Number.MAX_SAFE_INTEGER;
      }
      if (count === order.length) return order[index];
      for (const c of order) if (canTake(c) && index-- === 0) return c;
      return undefined;
    },
    waitForClient(timeoutMs, signal) {
      if (clients.size > 0) return Promise.resolve(true);
      if (timeoutMs <= 0 || signal?.aborted) return Promise.resolve(false);
      return new Promise((resolve) => {
        const done = (connected: boolean): void => {
          clearTimeout(timer);
          waiters.delete(done);
          signal?.removeEventListener('abort', onAbort);
          resolve(connected);
        };
        const onAbort = (): void => done(false);
        const timer = setTimeout(() => done(false), timeoutMs);
        waiters.add(done);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    close() {
      for (const wake of [...waiters]) wake(false);
    },
  };
}
