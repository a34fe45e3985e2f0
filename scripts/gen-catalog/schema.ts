// The JSON Schema of one generated event type: the layout of the hand-written schemas (draft 2020-12, $id, title,
// description, the envelope's header), the declared fields, and what the facts file adds.
import { ENUM_DESCRIPTIONS_KEYWORD, FACT_KEYWORD, FACT_SOURCES_KEYWORD, GENERATED_FROM_KEYWORD, SCHEMA_ID_BASE, SCHEMA_SUFFIX } from '../../src/catalog/schemas.js';
import { HEADER_FIELDS, tupleAsArray, type Declaration, type Field, type Protocol, type Shape } from './declarations.js';
import { factsAt, ID_PATTERNS, placeWithFacts, PREFIXED_ID_KINDS, type FactsFile } from './facts.js';
import { fieldFacts } from './samples.js';

/** What a schema is built from, and the fact sources it cites. */
interface SchemaContext {
  type: string;
  protocol: Protocol;
  facts: FactsFile;
  required: boolean;
  sources: Set<string>;
}

export type JsonObject = Record<string, unknown>;

const HEADER_SCHEMA_DESCRIPTIONS: Record<(typeof HEADER_FIELDS)[number], string> = {
  event_id: '事件 ID',
  event_type: '事件类型',
  create_time: '事件创建时间戳（单位：毫秒）',
  token: '事件 Token',
  app_id: '应用 ID',
  tenant_key: '租户 Key',
};

export const NO_DESCRIPTION = "(no description in the SDK's declaration)";

/** Descriptions of well-known field names (the SDK's declarations have none). */
const FIELD_DESCRIPTIONS: Array<[RegExp, string]> = [
  [/^open_id$/, "Open ID (ou_…): the user's id within this app"],
  [/^union_id$/, "Union ID (on_…): the user's id across the apps of one developer"],
  [/^user_id$/, "User ID: the user's id within the tenant"],
  [/^employee_id$/, "the user's user_id within the tenant"],
  [/^(open_)?chat_id$/, 'chat id (oc_…)'],
  [/^open_message_id$/, 'message id (om_…)'],
  [/^message_id$/, 'message id'],
  [/^root_id$/, 'id of the root message of the reply thread (om_…)'],
  [/^parent_id$/, 'id of the message replied to (om_…)'],
  [/^thread_id$/, 'thread id (omt_…)'],
  [/^open_department_id$/, 'open department id (od-…)'],
  [/^app_id$/, 'app id (cli_…)'],
  [/^tenant_key$/, 'tenant key'],
  [/^(enterprise_)?email$/, 'email address'],
  [/^mobile$/, 'mobile phone number'],
  [/^en_name$/, 'English name'],
  [/^name$/, 'name'],
  [/^zh_cn$/, 'Chinese (zh_cn)'],
  [/^en_us$/, 'English (en_us)'],
  [/^ja_jp$/, 'Japanese (ja_jp)'],
  [/^create_time$/, 'creation time'],
  [/^update_time$/, 'update time'],
];

const USER_ID_FIELDS = new Set(['open_id', 'union_id', 'user_id']);

function describeField(field: Field, eventType: string): string {
  const { name, shape } = field;
  if (shape.kind === 'object' && shape.fields.length > 0 && shape.fields.every((f) => USER_ID_FIELDS.has(f.name))) {
    return "the user's ids: open_id, union_id, user_id";
  }
  if ((name === 'root_id' || name === 'parent_id') && !(eventType.startsWith('im.') || eventType === 'message')) return NO_DESCRIPTION;
  if (shape.kind !== 'string' && /_id$/.test(name)) return NO_DESCRIPTION;
  for (const [pattern, text] of FIELD_DESCRIPTIONS) if (pattern.test(name)) return text;
  return NO_DESCRIPTION;
}

function shapeSchema(shape: Shape, description: string | undefined, ctx: SchemaContext, path: string): JsonObject {
  const withDescription = description === undefined ? {} : { description };
  switch (shape.kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return { ...withDescription, type: shape.kind };
    case 'any':
      return { ...withDescription };
    case 'enum':
      return { ...withDescription, type: 'string', enum: [...shape.values] };
    case 'object':
      return objectSchema(shape.fields, withDescription, ctx, path);
    case 'record':
      return { ...withDescription, type: 'object', additionalProperties: shapeSchema(shape.values, undefined, ctx, `${path}.*`) };
    case 'array':
      return { ...withDescription, type: 'array', items: shapeSchema(shape.items, undefined, ctx, `${path}[]`) };
    case 'tuple': {
      const items = tupleAsArray(shape);
      if (items) return { ...withDescription, type: 'array', items: shapeSchema(items, undefined, ctx, `${path}[]`) };
      const n = shape.elements.length;
      return { ...withDescription, type: 'array', minItems: n, maxItems: n, prefixItems: shape.elements.map((e) => shapeSchema(e, undefined, ctx, `${path}[]`)) };
    }
  }
}

/**
 * A property's schema with its facts: the documented description, enum (with meanings), id shape, JSON text, and
 * `x-fact` saying what is known about the field and where from (a source of the facts file, or "inferred" from its
 * name).
 */
function propertySchema(field: Field, ctx: SchemaContext, path: string): JsonObject {
  const documented = factsAt(ctx.facts, ctx.type, path);
  const description = documented?.facts.description ?? describeField(field, ctx.type);
  const schema = shapeSchema(field.shape, description, ctx, path);
  const kind = field.shape.kind;
  const fact: JsonObject = {};
  if (kind === 'string' || kind === 'number' || kind === 'enum') {
    const facts = fieldFacts(ctx.facts, ctx.type, ctx.protocol, path, kind === 'number' ? 'number' : 'string', field.name);
    if (facts.enum) {
      const values = Object.keys(facts.enum).map((v) => (kind === 'number' ? Number(v) : v));
      if (kind === 'enum') {
        // The SDK's own union: it stays the enum; the facts give meanings to its values.
      } else if (!facts.enumOpen) {
        schema.enum = values;
      }
      schema[ENUM_DESCRIPTIONS_KEYWORD] = { ...facts.enum };
    }
    if (facts.json) schema.contentMediaType = 'application/json';
    if (facts.id && documented?.facts.id && !documented.facts.idVaries && PREFIXED_ID_KINDS.has(facts.id)) schema.pattern = ID_PATTERNS[facts.id];
    if (facts.unit) fact.unit = facts.unit;
    if (facts.id) fact.id = facts.id;
    const inferred = (['unit', 'id'] as const).filter((k) => facts[k] !== undefined && documented?.facts[k] === undefined);
    if (documented && inferred.length > 0) fact.inferred = inferred;
    if (facts.json) fact.json = true;
    if (facts.enum && facts.enumOpen) fact.enumOpen = true;
  }
  if (documented?.facts.changedFieldsOf) {
    // Only the changed fields are there: none of them is required.
    fact.changedFieldsOf = documented.facts.changedFieldsOf;
    delete schema.required;
  }
  if (documented) {
    ctx.sources.add(documented.source);
    schema[FACT_KEYWORD] = { from: documented.source, ...fact };
  } else if (Object.keys(fact).length > 0) {
    schema[FACT_KEYWORD] = { from: 'inferred', ...fact };
  }
  return schema;
}

function objectSchema(fields: Field[], extra: JsonObject, ctx: SchemaContext, path: string): JsonObject {
  const names = ctx.required ? fields.filter((f) => !f.optional).map((f) => f.name) : [];
  const properties: JsonObject = {};
  for (const field of fields) properties[field.name] = propertySchema(field, ctx, `${path}.${field.name}`);
  return { ...extra, type: 'object', ...(names.length > 0 ? { required: names } : {}), properties };
}

function headerSchema(eventType: string): JsonObject {
  const properties: JsonObject = {};
  for (const name of HEADER_FIELDS) {
    properties[name] = {
      description: HEADER_SCHEMA_DESCRIPTIONS[name],
      type: 'string',
      ...(name === 'event_type' ? { const: eventType } : {}),
      ...(name === 'create_time' ? { pattern: '^[0-9]+$' } : {}),
    };
  }
  return { description: '事件头', type: 'object', required: [...HEADER_FIELDS], properties };
}

function schemaTop(declaration: Declaration): JsonObject {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${SCHEMA_ID_BASE}${declaration.type}${SCHEMA_SUFFIX}`,
    title: `${declaration.title} (${declaration.type})`,
    description: [declaration.description || declaration.title, declaration.deprecated ? `已废弃 (deprecated): ${declaration.deprecated}` : '']
      .filter(Boolean)
      .join('\n\n'),
    [GENERATED_FROM_KEYWORD]: declaration.origin,
    ...(declaration.deprecated ? { deprecated: true } : {}),
  };
}

/** The schema of one generated event type. */
export function schemaFor(declaration: Declaration, facts: FactsFile): JsonObject {
  const { event } = placeWithFacts(declaration, facts);
  const ctx: SchemaContext = { type: declaration.type, protocol: declaration.protocol, facts, required: declaration.protocol === '2.0', sources: new Set() };
  const eventSchema = objectSchema(event, { description: '事件体' }, ctx, 'event');
  const sources = (): JsonObject =>
    ctx.sources.size === 0 ? {} : { [FACT_SOURCES_KEYWORD]: Object.fromEntries([...ctx.sources].sort().map((key) => [key, facts.sources[key]])) };
  if (declaration.protocol === '2.0') {
    return {
      ...schemaTop(declaration),
      ...sources(),
      type: 'object',
      required: ['schema', 'header', 'event'],
      properties: {
        schema: { description: '事件模式', type: 'string', const: '2.0' },
        header: headerSchema(declaration.type),
        event: eventSchema,
      },
    };
  }
  eventSchema.required = ['type'];
  // `type` first in a 1.0 event, then the declared fields (the declared `type` is the envelope's).
  const declared = Object.entries(eventSchema.properties as JsonObject).filter(([k]) => k !== 'type');
  eventSchema.properties = { type: { description: '事件类型', type: 'string', const: declaration.type }, ...Object.fromEntries(declared) };
  return {
    ...schemaTop(declaration),
    ...sources(),
    type: 'object',
    required: ['uuid', 'token', 'type', 'event'],
    properties: {
      ts: { description: '事件发送的时间戳（单位：秒，可带小数），一般近似于事件发生的时间', type: 'string' },
      uuid: { description: '事件的唯一标识', type: 'string' },
      token: { description: '即 Verification Token', type: 'string' },
      type: { description: '事件回调类型，事件推送时固定为 event_callback', type: 'string', const: 'event_callback' },
      event: eventSchema,
    },
  };
}
