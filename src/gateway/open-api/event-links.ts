// Which event an Open API call belongs to: by the ids it names (the message it replies to, the card token it
// updates with, an id an earlier call of the event created), else by which single delivery was in flight.
import { isRecord } from '../../protocol/envelope-fields.js';
import type { GatewayEvent } from '../types.js';
import type { CallEventLink } from './types.js';

interface EventRef {
  eventId: string;
  eventType?: string;
}

interface InFlight extends EventRef {
  push: string;
  attempt: number;
  client?: string;
}

/** An id a call names, and how strongly it points at one event. */
export interface NamedId {
  id: string;
  by: CallEventLink['by'];
}

export interface EventLinks {
  /** Index the ids an event's envelope carries; called for every push, before it goes out. */
  noteEnvelope(envelope: unknown): void;
  /** Follow pushes and acks: what is in flight, which client belongs to which app. */
  observe(event: GatewayEvent): void;
  /** The event a call belongs to, or undefined when nothing ties it to one. */
  link(appId: string | undefined, ids: readonly NamedId[]): CallEventLink | undefined;
  /** Remember an id a call created (a message it sent, a card it made), so that later calls on it link to the same event. */
  noteCreated(id: string, link: CallEventLink): void;
}

const ID_LIMIT = 50_000;
const MAX_DEPTH = 8;

/** Every id of the envelope a call may name, with how strong a tie it makes. */
export function envelopeIds(envelope: unknown): { ref: EventRef | undefined; ids: NamedId[] } {
  if (!isRecord(envelope)) return { ref: undefined, ids: [] };
  const header = isRecord(envelope.header) ? envelope.header : undefined;
  const event = isRecord(envelope.event) ? envelope.event : undefined;
  const eventId = typeof header?.event_id === 'string' ? header.event_id : typeof envelope.uuid === 'string' ? envelope.uuid : undefined;
  const eventType = typeof header?.event_type === 'string' ? header.event_type : typeof event?.type === 'string' ? event.type : undefined;
  if (eventId === undefined) return { ref: undefined, ids: [] };
  const ids: NamedId[] = [];
  const seen = new Set<string>();
  const add = (id: unknown, by: NamedId['by']): void => {
    if (typeof id !== 'string' || id === '' || seen.has(id)) return;
    seen.add(id);
    ids.push({ id, by });
  };
  // A card callback's token is what the delayed card update sends back.
  if (event !== undefined) add(event.token, 'card_token');
  const walk = (value: unknown, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    if (typeof value === 'string') {
      if (/^om_[0-9A-Za-z]+$/.test(value)) add(value, 'message_id');
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) walk(item, depth + 1);
      return;
    }
    if (!isRecord(value)) return;
    for (const [key, item] of Object.entries(value)) {
      // Where the event happened and who did it: where a bot answers when it does not reply to a message.
      if (typeof item === 'string' && (key === 'chat_id' || key === 'open_chat_id' || key === 'open_id') && item !== '') {
        walk(item, depth + 1);
        add(item, 'receive_id');
        continue;
      }
      walk(item, depth + 1);
    }
  };
  walk(event, 0);
  return { ref: { eventId, ...(eventType !== undefined ? { eventType } : {}) }, ids };
}

const STRONG: ReadonlySet<CallEventLink['by']> = new Set(['message_id', 'card_token', 'created_id']);

export function createEventLinks(): EventLinks {
  // id → the events that named it, the most recent last.
  const byId = new Map<string, { by: NamedId['by']; events: EventRef[] }>();
  const inFlight = new Map<string, InFlight>();
  const lastPush = new Map<string, { push: string; attempt: number }>();
  const clientApps = new Map<string, string>();

  const remember = (id: string, by: NamedId['by'], ref: EventRef): void => {
    const entry = byId.get(id);
    if (entry === undefined) {
      byId.set(id, { by, events: [ref] });
      if (byId.size > ID_LIMIT) byId.delete(byId.keys().next().value as string);
      return;
    }
    entry.events = [...entry.events.filter((e) => e.eventId !== ref.eventId), ref].slice(-20);
  };

  const appOf = (flight: InFlight): string | undefined => (flight.client === undefined ? undefined : clientApps.get(flight.client));

  const linkTo = (ref: EventRef, by: CallEventLink['by'], flight?: InFlight): CallEventLink => {
    const push = flight ?? lastPush.get(ref.eventId);
    return {
      event_id: ref.eventId,
      ...(ref.eventType !== undefined ? { event_type: ref.eventType } : {}),
      ...(push !== undefined ? { push: push.push, attempt: push.attempt } : {}),
      by,
    };
  };

  return {
    noteEnvelope(envelope) {
      const { ref, ids } = envelopeIds(envelope);
      if (ref === undefined) return;
      for (const { id, by } of ids) remember(id, by, ref);
    },

    observe(event) {
      switch (event.type) {
        case 'connected':
          clientApps.set(event.client, event.app_id);
          return;
        case 'push':
          if (event.event_id === undefined) return;
          inFlight.set(event.message_id, {
            eventId: event.event_id,
            ...(event.event_type !== undefined ? { eventType: event.event_type } : {}),
            push: event.message_id,
            attempt: event.attempt,
            ...(event.client !== undefined ? { client: event.client } : {}),
          });
          lastPush.set(event.event_id, { push: event.message_id, attempt: event.attempt });
          if (lastPush.size > ID_LIMIT) lastPush.delete(lastPush.keys().next().value as string);
          return;
        case 'ack':
        case 'expired':
          inFlight.delete(event.message_id);
          return;
        case 'closed':
          inFlight.clear();
          return;
        default:
          return;
      }
    },

    link(appId, ids) {
      const flights = [...inFlight.values()].filter((f) => appId === undefined || appOf(f) === undefined || appOf(f) === appId);
      const ordered = [...ids.filter((i) => STRONG.has(i.by)), ...ids.filter((i) => !STRONG.has(i.by))];
      // 1. An id that a delivery in flight names (or created).
      for (const named of ordered) {
        const entry = byId.get(named.id);
        if (entry === undefined) continue;
        for (const flight of flights.slice().reverse()) {
          if (entry.events.some((e) => e.eventId === flight.eventId)) return linkTo(flight, entry.by === 'created_id' ? 'created_id' : named.by, flight);
        }
      }
      // 2. A strong id any earlier event names: the most recent one.
      for (const named of ordered) {
        if (!STRONG.has(named.by)) continue;
        const entry = byId.get(named.id);
        const ref = entry?.events.at(-1);
        if (entry !== undefined && ref !== undefined) return linkTo(ref, entry.by === 'created_id' ? 'created_id' : named.by);
      }
      // 3. The only delivery in flight.
      if (flights.length === 1) return linkTo(flights[0] as InFlight, 'in_flight', flights[0]);
      return undefined;
    },

    noteCreated(id, link) {
      const ref: EventRef = { eventId: link.event_id, ...(link.event_type !== undefined ? { eventType: link.event_type } : {}) };
      byId.set(id, { by: 'created_id', events: [ref] });
      if (byId.size > ID_LIMIT) byId.delete(byId.keys().next().value as string);
    },
  };
}
