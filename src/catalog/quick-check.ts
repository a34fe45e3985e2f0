/**
 * A quick yes/no check of a value against a bundled schema, run before the schema's generated validator.
 *
 * Why: a capture mixes ~230 event types. Each type's generated validator (Ajv standalone code, every error, verbose)
 * is called for one event in 230, too rarely for V8 to optimise most of them, so they run in the interpreter. This
 * is one small interpreter of a compiled schema tree shared by every type (and by the 2.0 header that every event
 * carries): it gets hot, and optimised, within the first few thousand events whatever the mix.
 *
 * The contract, which keeps every finding identical: `quickPass(check, value)` is true only when the generated
 * validator accepts `value` too. When it says false, the generated validator runs and has the last word (and gives
 * the errors); so a check stricter than the schema costs time, never a finding, and a loose one would lose
 * findings — where this module is not sure (a keyword it does not know, `if`, whose `then`/`else` would turn on an
 * exact answer, `unevaluatedProperties` beside an applicator, an object `const`), the schema gets no quick check and
 * only its validator runs. The semantics follow Ajv's generated
 * code for the options of the bundled schemas: a property is present when `value[key] !== undefined`; `number` is a
 * finite number, `integer` a finite whole one; `pattern` is a `u`-flag RegExp; lengths count code points.
 */

/** The keywords that never change whether a value is valid (annotations); everything else must be understood. */
const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  '$comment',
  'title',
  'description',
  'deprecated',
  'examples',
  'default',
  'readOnly',
  'writeOnly',
  'contentMediaType',
  'contentEncoding',
  'contentSchema',
]);

const T_NULL = 1;
const T_BOOLEAN = 2;
const T_OBJECT = 4;
const T_ARRAY = 8;
const T_NUMBER = 16;
const T_INTEGER = 32;
const T_STRING = 64;
const TYPE_BITS: Record<string, number> = { null: T_NULL, boolean: T_BOOLEAN, object: T_OBJECT, array: T_ARRAY, number: T_NUMBER, integer: T_INTEGER, string: T_STRING };

/** How a child schema is checked without a call: most are a bare type, or a string with a pattern. */
const LEAF_NONE = 0;
const LEAF_STRING = 1;
const LEAF_NUMBER = 2;
const LEAF_BOOLEAN = 3;
const LEAF_PATTERN = 4;
const LEAF_DIGITS = 5;
const LEAF_OBJECT = 6;
const LEAF_ANY = 7;

/** `^[0-9]+$`, the pattern of every timestamp in the catalogue, tested without a RegExp. */
const DIGITS_PATTERN = '^[0-9]+$';

/** One compiled schema node. Every node has the same shape, so that the checker's property loads stay monomorphic. */
export class QuickCheck {
  /** Allowed JSON types (T_* bits); 0: any. */
  types = 0;
  leaf = LEAF_NONE;
  /** `properties`: names and their checks, side by side. */
  keys: string[] | null = null;
  children: QuickCheck[] | null = null;
  required: string[] | null = null;
  /** For each of `keys`: is it required? (Checked in the same read as its value.) */
  keyRequired: boolean[] | null = null;
  /** Required names that `properties` does not declare, checked on their own. */
  requiredOthers: string[] | null = null;
  /** `additionalProperties: false` (or `unevaluatedProperties: false` where it means the same). */
  closed = false;
  /** `additionalProperties` as a schema. */
  extra: QuickCheck | null = null;
  pattern: RegExp | null = null;
  digits = false;
  minLength = -1;
  maxLength = -1;
  /** `enum` of primitives. */
  enumValues: unknown[] | null = null;
  hasConst = false;
  constValue: unknown = undefined;
  items: QuickCheck | null = null;
  prefixItems: QuickCheck[] | null = null;
  minItems = -1;
  maxItems = -1;
  allOf: QuickCheck[] | null = null;
  /** At the root of an event type's schema: its envelope, checked by name rather than by the interpreter. */
  envelope: Envelope | null = null;
}

/** The envelope part of an event type's schema that matched ENVELOPE_2 or ENVELOPE_1 exactly. */
interface Envelope {
  version: 1 | 2;
  /** 2.0: the header's event_type `const` (undefined: any string, as in envelope-v2). */
  eventType: string | undefined;
  /** `unevaluatedProperties: false` (--strict) at the root, and in the 2.0 header. */
  closed: boolean;
  closedHeader: boolean;
  /** The schema of `event` (null: none). */
  event: QuickCheck | null;
}

/**
 * The 2.0 envelope as every generated event schema (and envelope-v2) spells it, without `event`'s schema and the
 * header's `event_type` const; and the 1.0 one. A schema whose envelope differs in any way is left to the interpreter.
 */
const ENVELOPE_2 = {
  type: 'object',
  required: ['schema', 'header', 'event'],
  properties: {
    schema: { type: 'string', const: '2.0' },
    header: {
      type: 'object',
      required: ['event_id', 'event_type', 'create_time', 'token', 'app_id', 'tenant_key'],
      properties: {
        event_id: { type: 'string' },
        event_type: { type: 'string' },
        create_time: { type: 'string', pattern: DIGITS_PATTERN },
        token: { type: 'string' },
        app_id: { type: 'string' },
        tenant_key: { type: 'string' },
      },
    },
  },
};
const ENVELOPE_1 = {
  type: 'object',
  required: ['uuid', 'token', 'type', 'event'],
  properties: { ts: { type: 'string' }, uuid: { type: 'string' }, token: { type: 'string' }, type: { type: 'string', const: 'event_callback' } },
};
const ENVELOPE_2_KEYS = ['schema', 'header', 'event'];
const HEADER_2_KEYS = ['event_id', 'event_type', 'create_time', 'token', 'app_id', 'tenant_key'];
const ENVELOPE_1_KEYS = ['ts', 'uuid', 'token', 'type', 'event'];

/** Same JSON, whatever the order of object keys (but not of array items). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  if (!isNode(a) || !isNode(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && sameJson(a[key], b[key]));
}

/**
 * The schema's envelope, when it is exactly ENVELOPE_2 or ENVELOPE_1 plus an `event` schema (`compiled` is the whole
 * schema's check, whose `event` child is reused). Annotations are not skipped: the build stores the schemas without
 * them (quickCheckSource); a schema with them is left to the interpreter.
 */
function envelopeOf(root: unknown, compiled: QuickCheck): Envelope | undefined {
  if (!isNode(root) || !isNode(root.properties)) return undefined;
  const rest: SchemaNode = { ...root, properties: { ...root.properties } };
  const properties = rest.properties as SchemaNode;
  const eventSchema = properties.event;
  if (eventSchema === undefined) return undefined;
  delete properties.event;
  const closed = rest.unevaluatedProperties === false;
  if (closed) delete rest.unevaluatedProperties;
  const event = compiled.children?.[(compiled.keys as string[]).indexOf('event')] ?? null;
  if (sameJson(rest, ENVELOPE_1)) return { version: 1, eventType: undefined, closed, closedHeader: false, event };
  const header = properties.header;
  if (!isNode(header) || !isNode(header.properties)) return undefined;
  const headerRest: SchemaNode = { ...header, properties: { ...header.properties } };
  const closedHeader = headerRest.unevaluatedProperties === false;
  if (closedHeader) delete headerRest.unevaluatedProperties;
  const headerProperties = headerRest.properties as SchemaNode;
  const eventTypeSchema = headerProperties.event_type;
  let eventType: string | undefined;
  if (isNode(eventTypeSchema) && typeof eventTypeSchema.const === 'string') {
    eventType = eventTypeSchema.const;
    const { const: _const, ...others } = eventTypeSchema;
    headerProperties.event_type = others;
  }
  properties.header = headerRest;
  if (!sameJson(rest, ENVELOPE_2)) return undefined;
  return { version: 2, eventType, closed, closedHeader, event };
}

type SchemaNode = Record<string, unknown>;

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isPrimitive = (value: unknown): boolean => value === null || typeof value !== 'object';
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** Thrown (and caught by compileQuickCheck) where a schema uses something this module does not check. */
class Unsupported extends Error {}

function fail(): never {
  throw new Unsupported();
}

function compileList(value: unknown): QuickCheck[] {
  if (!Array.isArray(value) || value.length === 0) fail();
  return value.map(compileNode);
}

/** The checks of `{"type": "<one type>"}`, the most common schema by far, made once and shared. */
const bareTypes = new Map<string, QuickCheck>();

function compileNode(schema: unknown): QuickCheck {
  if (schema === true) return new QuickCheck();
  if (!isNode(schema)) fail();
  const type = schema.type;
  let names: string[] | undefined;
  if (typeof type === 'string' && (names = Object.keys(schema)).length === 1) {
    const shared = bareTypes.get(type);
    if (shared !== undefined) return shared;
    const node = compileKeywords(schema, names);
    bareTypes.set(type, node);
    return node;
  }
  return compileKeywords(schema, names ?? Object.keys(schema));
}

function compileKeywords(schema: SchemaNode, names: readonly string[]): QuickCheck {
  const node = new QuickCheck();
  let unevaluatedFalse = false;
  for (const key of names) {
    const value = schema[key];
    if (ANNOTATIONS.has(key) || key.startsWith('x-')) continue;
    switch (key) {
      case 'type': {
        const list = Array.isArray(value) ? value : [value];
        if (list.length === 0) fail();
        for (const type of list) {
          if (typeof type !== 'string' || !Object.hasOwn(TYPE_BITS, type)) fail();
          node.types |= TYPE_BITS[type] as number;
        }
        break;
      }
      case 'properties': {
        if (!isNode(value)) fail();
        node.keys = Object.keys(value);
        node.children = node.keys.map((name) => compileNode(value[name]));
        break;
      }
      case 'required':
        if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) fail();
        node.required = value as string[];
        break;
      case 'additionalProperties':
        if (value === false) node.closed = true;
        else node.extra = compileNode(value);
        break;
      case 'unevaluatedProperties':
        // Without an applicator beside it, what it sees evaluated is this node's `properties`: the same as
        // additionalProperties. Beside one (or as a schema) it depends on which branches passed: not checked here.
        if (value !== false) fail();
        unevaluatedFalse = true;
        break;
      case 'pattern':
        if (typeof value !== 'string') fail();
        if (value === DIGITS_PATTERN) node.digits = true;
        else node.pattern = new RegExp(value, 'u');
        break;
      case 'minLength':
        if (!isCount(value)) fail();
        node.minLength = value;
        break;
      case 'maxLength':
        if (!isCount(value)) fail();
        node.maxLength = value;
        break;
      case 'enum':
        if (!Array.isArray(value) || !value.every(isPrimitive)) fail();
        node.enumValues = value;
        break;
      case 'const':
        if (!isPrimitive(value)) fail();
        node.hasConst = true;
        node.constValue = value;
        break;
      case 'items':
        node.items = compileNode(value);
        break;
      case 'prefixItems':
        node.prefixItems = compileList(value);
        break;
      case 'minItems':
        if (!isCount(value)) fail();
        node.minItems = value;
        break;
      case 'maxItems':
        if (!isCount(value)) fail();
        node.maxItems = value;
        break;
      case 'allOf':
        node.allOf = compileList(value);
        break;
      default:
        fail();
    }
  }
  if (unevaluatedFalse) {
    if (node.allOf !== null || node.extra !== null) fail();
    node.closed = true;
  }
  if (node.required !== null) {
    const required = new Set(node.required);
    const keys = node.keys ?? [];
    node.keyRequired = keys.map((name) => required.has(name));
    const others = [...required].filter((name) => !keys.includes(name));
    node.requiredOthers = others.length > 0 ? others : null;
  }
  node.leaf = leafOf(node);
  return node;
}

function leafOf(node: QuickCheck): number {
  const bare =
    node.keys === null &&
    node.required === null &&
    !node.closed &&
    node.extra === null &&
    node.minLength < 0 &&
    node.maxLength < 0 &&
    node.enumValues === null &&
    !node.hasConst &&
    node.items === null &&
    node.prefixItems === null &&
    node.minItems < 0 &&
    node.maxItems < 0 &&
    node.allOf === null;
  if (!bare) return LEAF_NONE;
  if (node.pattern === null && !node.digits && node.types === T_OBJECT) return LEAF_OBJECT;
  if (node.pattern === null && !node.digits && node.types === 0) return LEAF_ANY;
  if (node.types === T_STRING) return node.digits ? LEAF_DIGITS : node.pattern !== null ? LEAF_PATTERN : LEAF_STRING;
  if (node.pattern !== null || node.digits) return LEAF_NONE;
  if (node.types === T_NUMBER) return LEAF_NUMBER;
  if (node.types === T_BOOLEAN) return LEAF_BOOLEAN;
  return LEAF_NONE;
}

/** The quick check of a schema, or undefined when the schema uses something it does not check. */
export function compileQuickCheck(schema: unknown): QuickCheck | undefined {
  try {
    const node = compileNode(schema);
    node.envelope = envelopeOf(schema, node) ?? null;
    return node;
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

/**
 * A schema without what only people read (titles, descriptions, x- annotations), for the build to store beside the
 * validators; undefined when it has no quick check. Property names are kept whatever they are.
 */
export function quickCheckSource(schema: unknown): unknown {
  if (compileQuickCheck(schema) === undefined) return undefined;
  return strip(schema);
}

function strip(schema: unknown): unknown {
  if (!isNode(schema)) return schema;
  const out: SchemaNode = {};
  for (const key of Object.keys(schema)) {
    const value = schema[key];
    if (ANNOTATIONS.has(key) || key.startsWith('x-')) continue;
    if (key === 'properties' && isNode(value)) out[key] = Object.fromEntries(Object.keys(value).map((name) => [name, strip(value[name])]));
    else if ((key === 'allOf' || key === 'prefixItems') && Array.isArray(value)) out[key] = value.map(strip);
    else if (key === 'items' || key === 'additionalProperties') out[key] = strip(value);
    else out[key] = value;
  }
  return out;
}

function isDigits(text: string): boolean {
  const length = text.length;
  if (length === 0) return false;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

/** Length in code points, as Ajv counts it. */
function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    count++;
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return count;
}

function passesObject(check: QuickCheck, value: Record<string, unknown>): boolean {
  const others = check.requiredOthers;
  if (others !== null) {
    for (let i = 0; i < others.length; i++) if (value[others[i] as string] === undefined) return false;
  }
  const keys = check.keys;
  if (keys !== null) {
    const children = check.children as QuickCheck[];
    const required = check.keyRequired;
    for (let i = 0; i < keys.length; i++) {
      const child = value[keys[i] as string];
      if (child === undefined) {
        if (required !== null && required[i] === true) return false;
        continue;
      }
      const node = children[i] as QuickCheck;
      switch (node.leaf) {
        case LEAF_STRING:
          if (typeof child !== 'string') return false;
          break;
        case LEAF_DIGITS:
          if (typeof child !== 'string' || !isDigits(child)) return false;
          break;
        case LEAF_PATTERN:
          if (typeof child !== 'string' || !(node.pattern as RegExp).test(child)) return false;
          break;
        case LEAF_NUMBER:
          if (typeof child !== 'number' || !Number.isFinite(child)) return false;
          break;
        case LEAF_BOOLEAN:
          if (typeof child !== 'boolean') return false;
          break;
        case LEAF_OBJECT:
          if (typeof child !== 'object' || child === null || Array.isArray(child)) return false;
          break;
        case LEAF_ANY:
          break;
        default:
          if (!passes(node, child)) return false;
      }
    }
  }
  if (check.closed || check.extra !== null) {
    for (const key in value) {
      if (keys !== null && keys.includes(key)) continue;
      if (check.closed || !passes(check.extra as QuickCheck, value[key])) return false;
    }
  }
  return true;
}

function passesArray(check: QuickCheck, value: unknown[]): boolean {
  const length = value.length;
  if (check.minItems >= 0 && length < check.minItems) return false;
  if (check.maxItems >= 0 && length > check.maxItems) return false;
  let i = 0;
  const prefix = check.prefixItems;
  if (prefix !== null) {
    for (; i < prefix.length && i < length; i++) if (!passes(prefix[i] as QuickCheck, value[i])) return false;
  }
  const items = check.items;
  if (items !== null) {
    for (; i < length; i++) if (!passes(items, value[i])) return false;
  }
  return true;
}

/**
 * True only if the schema's generated validator accepts the value (see the contract at the top). An event
 * envelope's own fields are read by name (every 2.0 header has the same shape, so those reads stay monomorphic
 * whatever the mix of types); the rest goes through the interpreter.
 */
export function quickPass(check: QuickCheck, value: unknown): boolean {
  const envelope = check.envelope;
  if (envelope === null) return passes(check, value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  if (envelope.version === 2) {
    const header = v.header;
    const event = v.event;
    if (v.schema !== '2.0' || event === undefined || typeof header !== 'object' || header === null || Array.isArray(header)) return false;
    const h = header as Record<string, unknown>;
    if (typeof h.event_id !== 'string' || typeof h.token !== 'string' || typeof h.app_id !== 'string' || typeof h.tenant_key !== 'string') return false;
    const createTime = h.create_time;
    if (typeof createTime !== 'string' || !isDigits(createTime)) return false;
    const eventType = h.event_type;
    if (envelope.eventType === undefined ? typeof eventType !== 'string' : eventType !== envelope.eventType) return false;
    if (envelope.closedHeader && !onlyKeys(h, HEADER_2_KEYS)) return false;
    if (envelope.closed && !onlyKeys(v, ENVELOPE_2_KEYS)) return false;
    return envelope.event === null || passes(envelope.event, event);
  }
  const ts = v.ts;
  const event = v.event;
  if (v.type !== 'event_callback' || event === undefined || typeof v.uuid !== 'string' || typeof v.token !== 'string' || (ts !== undefined && typeof ts !== 'string')) return false;
  if (envelope.closed && !onlyKeys(v, ENVELOPE_1_KEYS)) return false;
  return envelope.event === null || passes(envelope.event, event);
}

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[]): boolean {
  for (const key in value) if (!allowed.includes(key)) return false;
  return true;
}

/** The interpreter: one schema node against one value. */
function passes(check: QuickCheck, value: unknown): boolean {
  const types = check.types;
  if (typeof value === 'string') {
    if (types !== 0 && (types & T_STRING) === 0) return false;
    if (check.digits && !isDigits(value)) return false;
    if (check.pattern !== null && !check.pattern.test(value)) return false;
    if (check.minLength >= 0 || check.maxLength >= 0) {
      const length = codePoints(value);
      if (check.minLength >= 0 && length < check.minLength) return false;
      if (check.maxLength >= 0 && length > check.maxLength) return false;
    }
  } else if (typeof value === 'object') {
    if (value === null) {
      if (types !== 0 && (types & T_NULL) === 0) return false;
    } else if (Array.isArray(value)) {
      if (types !== 0 && (types & T_ARRAY) === 0) return false;
      if (!passesArray(check, value)) return false;
    } else {
      if (types !== 0 && (types & T_OBJECT) === 0) return false;
      if (!passesObject(check, value as Record<string, unknown>)) return false;
    }
  } else if (typeof value === 'number') {
    if (types !== 0) {
      if ((types & (T_NUMBER | T_INTEGER)) === 0 || !Number.isFinite(value)) return false;
      if ((types & T_NUMBER) === 0 && !Number.isInteger(value)) return false;
    }
  } else if (typeof value === 'boolean') {
    if (types !== 0 && (types & T_BOOLEAN) === 0) return false;
  } else if (types !== 0) {
    // Not a JSON value (undefined, a function): leave it to the validator.
    return false;
  }
  if (check.hasConst && value !== check.constValue) return false;
  if (check.enumValues !== null && !check.enumValues.includes(value)) return false;
  const allOf = check.allOf;
  if (allOf !== null) {
    for (let i = 0; i < allOf.length; i++) if (!passes(allOf[i] as QuickCheck, value)) return false;
  }
  return true;
}
