// Envelope types and readers, with no imports: cheap to load for commands whose start-up is measured (validate).

/** Header of a schema 2.0 event. The platform may add fields; they are kept. */
export interface EventHeaderV2 {
  event_id: string;
  event_type: string;
  /** Milliseconds since the epoch, as a string. */
  create_time: string;
  token: string;
  app_id: string;
  tenant_key: string;
  [field: string]: unknown;
}

export interface EnvelopeV2 {
  schema: '2.0';
  header: EventHeaderV2;
  event: Record<string, unknown>;
  [field: string]: unknown;
}

export interface EnvelopeV1 {
  /** Seconds since the epoch with a fraction, as a string. */
  ts?: string;
  uuid: string;
  token: string;
  type: 'event_callback' | string;
  event: { type: string; app_id?: string; tenant_key?: string; [field: string]: unknown };
  [field: string]: unknown;
}

export type Envelope = EnvelopeV2 | EnvelopeV1;

/** What a JSON value is, as far as the event protocol goes. */
export type EnvelopeKind = '2.0' | '1.0' | 'card-action' | 'encrypted' | 'url_verification' | 'unknown';

/**
 * The legacy card action (interactive message cards, before card.action.trigger): a body without an envelope, with
 * `open_message_id` and `action` at the top level. The platform names no type; the catalogue calls it this.
 */
export const LEGACY_CARD_ACTION_TYPE = 'card.action.legacy';

/** The callback types: the app's answer is what the user sees (a toast, a new card, a link preview). */
export const CALLBACK_TYPES: ReadonlySet<string> = new Set(['card.action.trigger', 'url.preview.get', LEGACY_CARD_ACTION_TYPE]);

export function isCallbackType(eventType: string | undefined): boolean {
  return eventType !== undefined && CALLBACK_TYPES.has(eventType);
}

/** A legacy card action body, as the node SDK tells it apart: neither `encrypt` nor `schema`, and an `action`. */
export function isLegacyCardAction(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && !('schema' in value) && !('encrypt' in value) && !('event' in value) && isRecord(value.action) && typeof value.open_message_id === 'string';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function envelopeKind(value: unknown): EnvelopeKind {
  if (!isRecord(value)) return 'unknown';
  if (typeof value.encrypt === 'string') return 'encrypted';
  if (value.type === 'url_verification') return 'url_verification';
  // The SDK tells the versions apart by the presence of `schema`; so do we.
  if ('schema' in value) return isRecord(value.header) ? '2.0' : 'unknown';
  if (isRecord(value.event) && typeof value.event.type === 'string') return '1.0';
  if (isLegacyCardAction(value)) return 'card-action';
  return 'unknown';
}

export function isEnvelopeV2(value: unknown): value is EnvelopeV2 {
  return envelopeKind(value) === '2.0';
}

export function isEnvelopeV1(value: unknown): value is EnvelopeV1 {
  return envelopeKind(value) === '1.0';
}

/** The event type: `header.event_type` (2.0) or `event.type` (1.0). */
export function eventTypeOf(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  if ('schema' in value) {
    const header = value.header;
    return isRecord(header) && typeof header.event_type === 'string' ? header.event_type : undefined;
  }
  const event = value.event;
  if (isRecord(event)) return typeof event.type === 'string' ? event.type : undefined;
  return isLegacyCardAction(value) ? LEGACY_CARD_ACTION_TYPE : undefined;
}

/** The id handlers deduplicate on: `header.event_id` (2.0) or `uuid` (1.0). */
export function eventIdOf(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  if ('schema' in value) {
    const header = value.header;
    return isRecord(header) && typeof header.event_id === 'string' ? header.event_id : undefined;
  }
  return typeof value.uuid === 'string' ? value.uuid : undefined;
}

