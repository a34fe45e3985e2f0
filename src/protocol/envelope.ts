import { systemRandom, type RandomSource } from './random.js';

export * from './envelope-fields.js';
import { isEnvelopeV1, isEnvelopeV2, type Envelope, type EventHeaderV2 } from './envelope-fields.js';

/** A fresh event id in the platform's format: 32 lowercase hex digits. */
export function newEventId(random: RandomSource = systemRandom): string {
  return Buffer.from(random(16)).toString('hex');
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** `event.items.300000000=1` would build an array of 300 million holes: an event never has that many items. */
export const MAX_ARRAY_INDEX = 100_000;

export interface FieldOverride {
  /** Dotted path split into keys, e.g. ['event', 'candidate_info', 'name']. */
  path: string[];
  value: unknown;
  /** The value as typed (`13`), for messages and for taking it as a string where the field is one. */
  text?: string;
}

export interface PrepareOptions {
  /** Keep `event_id`/`uuid` and `create_time`/`ts` as they are (default: fresh ones, like a new push). */
  keepIds?: boolean;
  verificationToken?: string;
  appId?: string;
  tenantKey?: string;
  overrides?: readonly FieldOverride[];
  /** Clock, for tests; also the `create_time` of an event prepared again elsewhere (the encoding worker). */
  now?: number;
  random?: RandomSource;
  /** The fresh event id to write (default: a random one): the same event prepared twice gets the same id. */
  eventId?: string;
}

/** Whether preparing changes an event at all: ids kept, no token, app, tenant or --set. */
export function preparesUnchanged(options: PrepareOptions): boolean {
  return options.keepIds === true && options.verificationToken === undefined && options.appId === undefined && options.tenantKey === undefined && (options.overrides ?? []).length === 0;
}

/**
 * Make an envelope ready to push: a copy with fresh ids and time, the app's token and ids written where the
 * platform writes them, then the user's overrides. The input is never modified: the copy is shallow except along
 * the paths it changes (copy on write), which keeps replay cheap at thousands of events a second.
 */
export function prepareEnvelope<T extends Envelope>(envelope: T, options: PrepareOptions = {}): T {
  const now = options.now ?? Date.now();
  let copy: Record<string, unknown> = { ...envelope };
  if (isEnvelopeV2(envelope)) {
    const header: EventHeaderV2 = { ...envelope.header };
    if (!options.keepIds) {
      header.event_id = options.eventId ?? newEventId(options.random);
      header.create_time = String(now);
    }
    if (options.verificationToken !== undefined) header.token = options.verificationToken;
    if (options.appId !== undefined) header.app_id = options.appId;
    if (options.tenantKey !== undefined) header.tenant_key = options.tenantKey;
    copy.header = header;
  } else if (isEnvelopeV1(envelope)) {
    if (!options.keepIds) {
      copy.uuid = options.eventId ?? newEventId(options.random);
      copy.ts = (now / 1000).toFixed(6);
    }
    if (options.verificationToken !== undefined) copy.token = options.verificationToken;
    if (options.appId !== undefined || options.tenantKey !== undefined) {
      const event = { ...envelope.event };
      if (options.appId !== undefined) event.app_id = options.appId;
      if (options.tenantKey !== undefined) event.tenant_key = options.tenantKey;
      copy.event = event;
    }
  }
  for (const override of options.overrides ?? []) copy = withPath(copy, override.path, override.value);
  return copy as T;
}

/**
 * Parse `path=value` as given to `--set`. The value is JSON when it parses as JSON, else the plain string.
 * Path segments are separated by dots; an integer segment indexes an array (`event.data.0.opt_type=3`).
 */
export function parseOverride(expression: string): FieldOverride {
  const eq = expression.indexOf('=');
  if (eq <= 0) throw new SyntaxError(`expected path=value, got "${expression}"`);
  const rawPath = expression.slice(0, eq).trim();
  const rawValue = expression.slice(eq + 1);
  const path = rawPath.split('.');
  if (path.some((segment) => segment === '')) throw new SyntaxError(`empty segment in path "${rawPath}"`);
  // Refused here, where it is a usage error, rather than when the envelope is prepared.
  const forbidden = path.find((segment) => FORBIDDEN_KEYS.has(segment));
  if (forbidden !== undefined) throw new SyntaxError(`"${forbidden}" is not allowed in a path (it would reach the object's prototype)`);
  const huge = path.find((segment) => /^\d+$/.test(segment) && Number(segment) > MAX_ARRAY_INDEX);
  if (huge !== undefined) throw new SyntaxError(`index ${huge.length > 12 ? `${huge.slice(0, 12)}…` : huge} is too large: an array index in a path is at most ${MAX_ARRAY_INDEX}`);
  let value: unknown = rawValue;
  try {
    value = JSON.parse(rawValue);
  } catch {
    // Not JSON: the plain string is the value.
  }
  return { path, value, text: rawValue };
}


/** A copy of `target` with `value` at `path`: only the objects along the path are copied. */
export function withPath(target: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const copyOf = (node: unknown, nextKey: string | undefined): Record<string, unknown> | unknown[] => {
    if (Array.isArray(node)) return [...node];
    if (typeof node === 'object' && node !== null) return { ...(node as Record<string, unknown>) };
    return /^\d+$/.test(nextKey ?? '') ? [] : {};
  };
  const root = copyOf(target, path[0]) as Record<string, unknown>;
  let node: Record<string, unknown> = root;
  path.forEach((key, index) => {
    if (FORBIDDEN_KEYS.has(key)) throw new SyntaxError(`"${key}" is not allowed in a path`);
    if (index === path.length - 1) {
      node[key] = value;
      return;
    }
    const next = copyOf(node[key], path[index + 1]) as Record<string, unknown>;
    node[key] = next;
    node = next;
  });
  return root;
}

/** Set a value at a path, creating objects (or arrays, for integer segments) on the way. */
export function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node: Record<string, unknown> | unknown[] = target;
  path.forEach((key, index) => {
    if (FORBIDDEN_KEYS.has(key)) throw new SyntaxError(`"${key}" is not allowed in a path`);
    const last = index === path.length - 1;
    const container = node as Record<string, unknown>;
    if (last) {
      container[key] = value;
      return;
    }
    let next = container[key];
    if (typeof next !== 'object' || next === null) {
      next = /^\d+$/.test(path[index + 1] ?? '') ? [] : {};
      container[key] = next;
    }
    node = next as Record<string, unknown>;
  });
}
