// The JSON Schema of one generated event type: the layout of the hand-written schemas (draft 2020-12, $id, title,
// description, the envelope's header), the declared fields, and what the facts file adds.
import { GENERATED_FROM_KEYWORD, SCHEMA_ID_BASE, SCHEMA_SUFFIX } from '../../src/catalog/schemas.js';
import { HEADER_FIELDS, placeFields, tupleAsArray, type Declaration, type Field, type Shape } from './declarations.js';

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

function shapeSchema(shape: Shape, description: string | undefined, required: boolean, eventType: string): JsonObject {
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
      return objectSchema(shape.fields, withDescription, required, eventType);
    case 'record':
      return { ...withDescription, type: 'object', additionalProperties: shapeSchema(shape.values, undefined, required, eventType) };
    case 'array':
      return { ...withDescription, type: 'array', items: shapeSchema(shape.items, undefined, required, eventType) };
    case 'tuple': {
      const items = tupleAsArray(shape);
      if (items) return { ...withDescription, type: 'array', items: shapeSchema(items, undefined, required, eventType) };
      const n = shape.elements.length;
      return { ...withDescription, type: 'array', minItems: n, maxItems: n, prefixItems: shape.elements.map((e) => shapeSchema(e, undefined, required, eventType)) };
    }
  }
}

function objectSchema(fields: Field[], extra: JsonObject, required: boolean, eventType: string): JsonObject {
  const names = required ? fields.filter((f) => !f.optional).map((f) => f.name) : [];
  const properties: JsonObject = {};
  for (const field of fields) properties[field.name] = shapeSchema(field.shape, describeField(field, eventType), required, eventType);
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
export function schemaFor(declaration: Declaration): JsonObject {
  const { event } = placeFields(declaration);
  if (declaration.protocol === '2.0') {
    return {
      ...schemaTop(declaration),
      type: 'object',
      required: ['schema', 'header', 'event'],
      properties: {
        schema: { description: '事件模式', type: 'string', const: '2.0' },
        header: headerSchema(declaration.type),
        event: objectSchema(event, { description: '事件体' }, true, declaration.type),
      },
    };
  }
  const eventSchema = objectSchema(event, { description: '事件体' }, false, declaration.type);
  eventSchema.required = ['type'];
  // `type` first in a 1.0 event, then the declared fields (the declared `type` is the envelope's).
  const declared = Object.entries(eventSchema.properties as JsonObject).filter(([k]) => k !== 'type');
  eventSchema.properties = { type: { description: '事件类型', type: 'string', const: declaration.type }, ...Object.fromEntries(declared) };
  return {
    ...schemaTop(declaration),
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
