#!/usr/bin/env node
// The event catalogue: reads the official SDK's type declarations (@larksuiteoapi/node-sdk types/index.d.ts,
// interface IHandles and the IOtherEventHandles it extends) with the TypeScript compiler API and writes, for every
// event type without a hand-written schema, schemas/<type>.schema.json and samples/<type>/doc.json.
//
//   npm run gen:catalog                     write the files (and remove generated ones the SDK no longer declares)
//   npm run gen:catalog -- --check          exit 1 when the committed files differ from what the installed SDK gives
//   node scripts/gen-catalog.js --declared [type…]
//                                           print the fields the SDK declares for these types (all when none), as
//                                           JSON, placed where they go in the envelope (header.*, event.*)
//
// The rules (the README has the long version):
// - 2.0 or 1.0: the members of IOtherEventHandles (names without a dot: `message`, `app_ticket`, `leave_approvalV2`…)
//   are 1.0 events, dispatched by the SDK on `event.type`; the members IHandles adds are 2.0 events, dispatched on
//   `header.event_type`. The SDK hands handlers header and event flattened into one object, so its declarations
//   mix them: for 2.0, event_id, token, create_time, event_type, tenant_key and app_id go to the header, and the
//   1.0 fields ts, uuid and type (which the SDK declares on every 2.0 event too) are left out; for 1.0, ts, uuid,
//   token and type go to the envelope (type = "event_callback"), everything else into `event`, whose `type` is the
//   event type. `event_id` is not a 1.0 field (uuid is); the one 1.0 declaration that has it (remedy_approval)
//   loses it. A header name that the declaration gives another type than string, or lists among the event's
//   fields, is the event's own field (corehr.employee.domain_event_v2's numeric event_type,
//   helpdesk.ticket_message.created_v1's event_id): in the flat object the event's value wins.
// - Tuples of identical objects (`meeting_rooms: [{open_id}, {open_id}]`, copied from an example) are arrays of
//   that object; other tuples are fixed-length arrays (prefixItems).
// - Required: the header's six fields (2.0) and uuid, token, type, event.type (1.0), as in the envelope schemas;
//   in a 2.0 event, a field the declaration marks non-optional (no `?`) is required in its object. The 1.0
//   declarations mark every field non-optional (they are written by hand: `text` of `message` too, which image
//   messages do not have), so they say nothing about what is optional: no 1.0 event field is required.
// - Unknown properties are allowed, as everywhere in schemas/.
// - Titles and descriptions come from the handler's JSDoc (first line, then the rest); 1.0 handlers have none, so
//   their titles come from the table below. Fields have no JSDoc in the SDK: well-known names get a description
//   from the table below, the others "(no description in the SDK's declaration)".
// - `card.action.trigger` is not generated: the SDK does not declare it in IHandles (it is a callback, registered
//   on CardActionHandler or as an extra key, whose answer is a card or a toast, not an acknowledgement).
// - Sample values are plausible by field name and deterministic: every pseudo-random value is seeded by the event
//   type and the field's path, and times are set around a date seeded by the event type, never by the clock.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const schemasDir = join(root, 'schemas');
const SCHEMA_SUFFIX = '.schema.json';
const SDK = '@larksuiteoapi/node-sdk';
const DECLARATIONS = 'types/index.d.ts';
const GENERATED_KEYWORD = 'x-generated-from';
const SCHEMA_ID_BASE = 'https://feishu-events.dev/schemas/';

/** The app the samples come from: the same app id, tenant and token as the hand-written samples. */
const SAMPLE_APP_ID = 'cli_9f5343c580712544';
const SAMPLE_TENANT_KEY = '2ca1d211f64f6438';
const SAMPLE_TOKEN = 'rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV';

const HEADER_FIELDS = ['event_id', 'event_type', 'create_time', 'token', 'app_id', 'tenant_key'];
const V1_ONLY_FIELDS = ['ts', 'uuid', 'type'];
const V1_ENVELOPE_FIELDS = ['ts', 'uuid', 'token', 'type', 'event_id'];

/** 1.0 handlers have no JSDoc: their names as the platform's 1.0 event documentation gives them. */
const V1_TITLES = {
  add_bot: '机器人进群',
  add_user_to_chat: '用户进群、出群',
  app_open: '首次启用应用',
  app_status_change: '应用停启用',
  app_ticket: 'app_ticket 事件',
  app_uninstalled: '应用卸载',
  chat_disband: '群解散',
  contact_scope_change: '通讯录权限范围变更',
  dept_add: '部门新建',
  group_setting_update: '群配置修改',
  leave_approvalV2: '请假审批',
  message: '接收消息',
  message_read: '消息已读',
  order_paid: '应用商店应用购买',
  out_approval: '外出审批',
  p2p_chat_create: '用户和机器人的会话首次被创建',
  remedy_approval: '补卡审批',
  remove_bot: '机器人被移出群',
  shift_approval: '换班审批',
  third_party_meeting_room_event_created: '第三方会议室日程创建',
  trip_approval: '出差审批',
  user_add: '员工入职',
  user_status_change: '员工状态变更',
  work_approval: '加班审批',
};

const HEADER_SCHEMA_DESCRIPTIONS = {
  event_id: '事件 ID',
  event_type: '事件类型',
  create_time: '事件创建时间戳（单位：毫秒）',
  token: '事件 Token',
  app_id: '应用 ID',
  tenant_key: '租户 Key',
};

const NO_DESCRIPTION = "(no description in the SDK's declaration)";

/** Descriptions of well-known field names (the SDK's declarations have none). */
const FIELD_DESCRIPTIONS = [
  [/^open_id$/, 'Open ID (ou_…): the user\'s id within this app'],
  [/^union_id$/, 'Union ID (on_…): the user\'s id across the apps of one developer'],
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

// ---------------------------------------------------------------------------------------------------------------
// Reading the declarations

/**
 * A field's shape, as the declarations give it.
 * @typedef {{ kind: 'string' } | { kind: 'number' } | { kind: 'boolean' } | { kind: 'any' }
 *   | { kind: 'enum', values: string[] } | { kind: 'object', fields: Field[] } | { kind: 'array', items: Shape }
 *   | { kind: 'tuple', elements: Shape[] } | { kind: 'record', values: Shape }} Shape
 * @typedef {{ name: string, optional: boolean, shape: Shape }} Field
 * @typedef {{ type: string, protocol: '2.0' | '1.0', iface: string, title: string, description: string,
 *   deprecated: string | undefined, fields: Field[] }} Declaration
 */

function fail(message) {
  process.stderr.write(`gen-catalog: ${message}\n`);
  process.exit(2);
}

function sdkInfo() {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve(`${SDK}/package.json`);
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8'));
  return { version, declarations: join(dirname(packageJson), DECLARATIONS) };
}

function jsDocOf(node) {
  const doc = ts.getJSDocCommentsAndTags(node).find((d) => ts.isJSDoc(d));
  if (!doc) return { text: '', deprecated: undefined };
  const text = typeof doc.comment === 'string' ? doc.comment : (ts.getTextOfJSDocComment(doc.comment) ?? '');
  let deprecated;
  for (const tag of doc.tags ?? []) {
    if (tag.tagName.text !== 'deprecated') continue;
    const comment = typeof tag.comment === 'string' ? tag.comment : (ts.getTextOfJSDocComment(tag.comment) ?? '');
    deprecated = comment.replace(/^:\s*/, '').trim() || 'deprecated';
  }
  return { text, deprecated };
}

/** The JSDoc's first line is the title (without the 【事件】 tag some carry), the rest the description. */
function titleAndDescription(text) {
  const [first = '', ...rest] = text.split('\n');
  const title = first.replace(/^【事件】/, '').replace(/[;；\s]+$/, '').trim();
  const description = rest
    .join('\n')
    .replace(/;\s*(?=- )/g, '\n')
    .replace(/;+$/gm, '')
    .trim();
  return { title, description };
}

function nameOf(member, source) {
  const name = member.name;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text;
  fail(`${where(member, source)}: unsupported property name ${name.getText(source)}`);
}

function where(node, source) {
  const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
  return `${DECLARATIONS}:${line + 1}`;
}

/** @returns {Shape} */
function shapeOf(node, source) {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { kind: 'string' };
    case ts.SyntaxKind.NumberKeyword:
      return { kind: 'number' };
    case ts.SyntaxKind.BooleanKeyword:
      return { kind: 'boolean' };
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
    case ts.SyntaxKind.ObjectKeyword:
      return { kind: 'any' };
    default:
  }
  if (ts.isParenthesizedTypeNode(node)) return shapeOf(node.type, source);
  if (ts.isTypeLiteralNode(node)) return { kind: 'object', fields: fieldsOf(node, source) };
  if (ts.isArrayTypeNode(node)) return { kind: 'array', items: shapeOf(node.elementType, source) };
  if (ts.isTupleTypeNode(node)) return { kind: 'tuple', elements: node.elements.map((e) => shapeOf(e, source)) };
  if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) return { kind: 'enum', values: [node.literal.text] };
  if (ts.isUnionTypeNode(node) && node.types.every((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal))) {
    return { kind: 'enum', values: node.types.map((t) => t.literal.text) };
  }
  if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
    const args = node.typeArguments ?? [];
    if (node.typeName.text === 'Array' && args.length === 1) return { kind: 'array', items: shapeOf(args[0], source) };
    if (node.typeName.text === 'Record' && args.length === 2 && args[0].kind === ts.SyntaxKind.StringKeyword) {
      return { kind: 'record', values: shapeOf(args[1], source) };
    }
  }
  fail(`${where(node, source)}: unsupported type ${node.getText(source)} (teach scripts/gen-catalog.js about it)`);
}

/** @returns {Field[]} */
function fieldsOf(literal, source) {
  return literal.members.map((member) => {
    if (!ts.isPropertySignature(member) || !member.type) fail(`${where(member, source)}: unsupported member ${member.getText(source)}`);
    return { name: nameOf(member, source), optional: member.questionToken !== undefined, shape: shapeOf(member.type, source) };
  });
}

/** Every handler of IHandles (with the IOtherEventHandles it extends), sorted by event type. @returns {Declaration[]} */
export function readDeclarations(text) {
  const source = ts.createSourceFile(DECLARATIONS, text, ts.ScriptTarget.Latest, true);
  /** @type {Map<string, ts.InterfaceDeclaration>} */
  const interfaces = new Map();
  for (const statement of source.statements) {
    if (ts.isInterfaceDeclaration(statement)) interfaces.set(statement.name.text, statement);
  }
  const handles = interfaces.get('IHandles');
  if (!handles) fail(`${DECLARATIONS} declares no interface IHandles`);
  const chain = [handles];
  for (const clause of handles.heritageClauses ?? []) {
    for (const base of clause.types) {
      const declaration = interfaces.get(base.expression.getText(source));
      if (declaration) chain.push(declaration);
    }
  }
  /** @type {Map<string, Declaration>} */
  const out = new Map();
  for (const declaration of chain) {
    const protocol = declaration === handles ? '2.0' : '1.0';
    for (const member of declaration.members) {
      const type = nameOf(member, source);
      if (out.has(type)) continue; // IHandles wins over the interface it extends
      const fn = ts.isPropertySignature(member) ? member.type : undefined;
      const param = fn && ts.isFunctionTypeNode(fn) ? fn.parameters[0]?.type : undefined;
      if (!param || !ts.isTypeLiteralNode(param)) fail(`${where(member, source)}: handler ${type} does not take an object literal`);
      const doc = jsDocOf(member);
      const { title, description } = titleAndDescription(doc.text);
      out.set(type, {
        type,
        protocol,
        iface: declaration.name.text,
        title: title || V1_TITLES[type] || type,
        description,
        deprecated: doc.deprecated,
        fields: fieldsOf(param, source),
      });
    }
  }
  return [...out.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/**
 * Where each declared field goes in the envelope.
 * @returns {{ header: Field[], envelope: Field[], event: Field[] }}
 */
function placeFields(declaration) {
  const header = [];
  const envelope = [];
  const event = [];
  // The SDK's declarations list the header's fields (and the 1.0 ones) first, then the event's. A name in both
  // is declared once: where the header's is (in that leading block) but with the event's type, since the event's
  // value is the one a handler sees (corehr.employee.domain_event_v2: `event_type?: number`), or, when the header's
  // was dropped, among the event's fields (helpdesk.ticket_message.created_v1: `event_id: string`).
  const leading = new Set();
  for (const field of declaration.fields) {
    if (!HEADER_FIELDS.includes(field.name) && !V1_ONLY_FIELDS.includes(field.name)) break;
    leading.add(field.name);
  }
  for (const field of declaration.fields) {
    if (declaration.protocol === '2.0') {
      const inHeader = HEADER_FIELDS.includes(field.name) && leading.has(field.name) && field.shape.kind === 'string';
      if (inHeader) header.push(field);
      else if (!(V1_ONLY_FIELDS.includes(field.name) && leading.has(field.name))) event.push(field);
    } else if (V1_ENVELOPE_FIELDS.includes(field.name)) {
      envelope.push(field);
    } else {
      event.push(field);
    }
  }
  return { header, envelope, event };
}

// ---------------------------------------------------------------------------------------------------------------
// Schemas

const USER_ID_FIELDS = new Set(['open_id', 'union_id', 'user_id']);

/** @param {Field} field */
function describeField(field, eventType) {
  const { name, shape } = field;
  if (shape.kind === 'object' && shape.fields.length > 0 && shape.fields.every((f) => USER_ID_FIELDS.has(f.name))) {
    return "the user's ids: open_id, union_id, user_id";
  }
  if ((name === 'root_id' || name === 'parent_id') && !(eventType.startsWith('im.') || eventType === 'message')) return NO_DESCRIPTION;
  if (shape.kind !== 'string' && /_id$/.test(name)) return NO_DESCRIPTION;
  for (const [pattern, text] of FIELD_DESCRIPTIONS) if (pattern.test(name)) return text;
  return NO_DESCRIPTION;
}

/** The items of a tuple: the SDK writes some arrays of objects as tuples of identical objects (copied from an example). */
function tupleAsArray(shape) {
  const [first, ...rest] = shape.elements;
  if (!first || first.kind !== 'object') return undefined;
  const same = rest.every((element) => JSON.stringify(element) === JSON.stringify(first));
  return same ? first : undefined;
}

/** @param {Shape} shape */
function shapeSchema(shape, description, required, eventType) {
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
    default:
      throw new Error(`unknown shape ${JSON.stringify(shape)}`);
  }
}

/** @param {Field[]} fields */
function objectSchema(fields, extra, required, eventType) {
  const names = required ? fields.filter((f) => !f.optional).map((f) => f.name) : [];
  const properties = {};
  for (const field of fields) properties[field.name] = shapeSchema(field.shape, describeField(field, eventType), required, eventType);
  return { ...extra, type: 'object', ...(names.length > 0 ? { required: names } : {}), properties };
}

function headerSchema(eventType) {
  const properties = {};
  for (const name of HEADER_FIELDS) {
    properties[name] = { description: HEADER_SCHEMA_DESCRIPTIONS[name], type: 'string' };
    if (name === 'event_type') properties[name].const = eventType;
    if (name === 'create_time') properties[name].pattern = '^[0-9]+$';
  }
  return { description: '事件头', type: 'object', required: [...HEADER_FIELDS], properties };
}

function schemaTop(declaration, sdk) {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${SCHEMA_ID_BASE}${declaration.type}${SCHEMA_SUFFIX}`,
    title: `${declaration.title} (${declaration.type})`,
    description: [declaration.description || declaration.title, declaration.deprecated ? `已废弃 (deprecated): ${declaration.deprecated}` : '']
      .filter(Boolean)
      .join('\n\n'),
    [GENERATED_KEYWORD]: `${SDK}@${sdk.version} ${DECLARATIONS} ${declaration.iface}`,
    ...(declaration.deprecated ? { deprecated: true } : {}),
  };
}

/** The schema of one generated event type. */
export function schemaFor(declaration, sdk) {
  const { event } = placeFields(declaration);
  if (declaration.protocol === '2.0') {
    return {
      ...schemaTop(declaration, sdk),
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
  eventSchema.properties = orderedWithType(eventSchema.properties, { description: '事件类型', type: 'string', const: declaration.type });
  return {
    ...schemaTop(declaration, sdk),
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

/** `type` first in a 1.0 event, then the declared fields (the declared `type` is the envelope's). */
function orderedWithType(properties, typeSchema) {
  return { type: typeSchema, ...Object.fromEntries(Object.entries(properties).filter(([k]) => k !== 'type')) };
}

// ---------------------------------------------------------------------------------------------------------------
// Samples: plausible values by field name, seeded by the event type and the field's path

function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** mulberry32, seeded. */
function prng(seedText) {
  let state = fnv1a(seedText);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEX = '0123456789abcdef';
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const chars = (random, alphabet, n) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
const hex = (random, n) => chars(random, HEX, n);
const digits = (random, n) => `${1 + Math.floor(random() * 9)}${chars(random, '0123456789', n - 1)}`;
const int = (random, min, max) => min + Math.floor(random() * (max - min + 1));
function uuid(random) {
  const h = hex(random, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[int(random, 0, 3)]}${h.slice(17, 20)}-${h.slice(20)}`;
}

const PEOPLE = [
  { zh: '张三', en: 'San Zhang', ja: '張三', email: 'zhangsan' },
  { zh: '李四', en: 'Si Li', ja: '李四', email: 'lisi' },
  { zh: '王五', en: 'Wu Wang', ja: '王五', email: 'wangwu' },
  { zh: '陈晨', en: 'Chen Chen', ja: '陳晨', email: 'chenchen' },
  { zh: '刘洋', en: 'Yang Liu', ja: '劉洋', email: 'liuyang' },
];
const THINGS = [
  [/depart|dept/, { zh: '研发部', en: 'R&D', ja: '研究開発部' }],
  [/chat|group/, { zh: '项目讨论群', en: 'Project chat', ja: 'プロジェクトチャット' }],
  [/room|meeting_room|building|floor/, { zh: '会议室 A', en: 'Meeting room A', ja: '会議室 A' }],
  [/meeting|topic/, { zh: '周会', en: 'Weekly meeting', ja: '週次ミーティング' }],
  [/calendar/, { zh: '团队日历', en: 'Team calendar', ja: 'チームカレンダー' }],
  [/file|doc|title|bitable|table|sheet/, { zh: '季度报告', en: 'Quarterly report', ja: '四半期レポート' }],
  [/job|position|title|level|grade|family/, { zh: '高级工程师', en: 'Senior engineer', ja: 'シニアエンジニア' }],
  [/company|tenant|org|entity/, { zh: '示例科技有限公司', en: 'Example Tech Ltd.', ja: 'サンプルテック株式会社' }],
  [/location|city|address|place/, { zh: '上海', en: 'Shanghai', ja: '上海' }],
  [/course|registration/, { zh: '新员工培训', en: 'Onboarding course', ja: '新入社員研修' }],
  [/task|approval|process|instance/, { zh: '请假审批', en: 'Leave request', ja: '休暇申請' }],
  [/app|bot|application/, { zh: '示例应用', en: 'Example app', ja: 'サンプルアプリ' }],
  [/cost_center/, { zh: '研发成本中心', en: 'R&D cost center', ja: '研究開発コストセンター' }],
];
const PERSON_WORDS = /mention|nickname|user|operator|sender|owner|creator|candidate|employee|applicant|installer|leader|member|agent|reviewer|invitee|inviter|participant|host|organizer|approver|assignee|follower|person|manager|contact|speaker|modifier|editor|commenter|author|reporter|customer|talent|referrer|initiator|submitter|handler|requester/;

/** One person per object: its name, English name and email agree. */
function personAt(eventType, objectPath) {
  return PEOPLE[fnv1a(`${eventType}\u0000${objectPath.join('/')}`) % PEOPLE.length];
}

/**
 * A person or a thing for a name-like field: the nearest word along its path that says which, else the event's
 * resource (`contact.user.created_v3`: a user).
 */
function subjectOf(path, eventType) {
  const words = [...eventType.split('.').slice(0, -1), ...path].map((w) => w.toLowerCase());
  for (let i = words.length - 1; i >= 0; i--) {
    const word = words[i];
    if (PERSON_WORDS.test(word)) return { person: personAt(eventType, path) };
    for (const [pattern, thing] of THINGS) if (pattern.test(word)) return { thing };
  }
  return { thing: { zh: '示例名称', en: 'Example', ja: 'サンプル' } };
}

function localized(subject, locale) {
  if (subject.person) return locale === 'en' ? subject.person.en : locale === 'ja' ? subject.person.ja : subject.person.zh;
  return subject.thing[locale];
}

/** 1.0 approval fields that carry a formatted local time, not a timestamp. */
const FORMATTED_TIMES = new Set([
  'leave_start_time', 'leave_end_time', 'out_start_time', 'out_end_time', 'work_start_time', 'work_end_time',
  'trip_start_time', 'trip_end_time', 'shift_time', 'return_time', 'change_time', 'event_time',
]);

function isTimeName(name) {
  return /(^|_)(time|timestamp|ts)$/.test(name) || /_at$/.test(name) || /_time_ms$/.test(name) || name === 'time_stamp' || /(^|_)date$/.test(name);
}

/** A time value near the event's own time: seconds, milliseconds, a date or a formatted local time. */
function timeValue(ctx, name, kind, random) {
  // Starts before ends, within the day before the event; other times within the week before it.
  const day = ctx.baseSeconds - 86400;
  const seconds = /(^|_)(start|begin|open|join)(_|$)/.test(name)
    ? day - int(random, 3600, 8 * 3600)
    : /(^|_)(end|finish|close|closed|return|leave)(_|$)/.test(name)
      ? day + int(random, 0, 3600)
      : ctx.baseSeconds - int(random, 0, 7 * 86400);
  const local = new Date((seconds + 8 * 3600) * 1000).toISOString(); // UTC+8, Beijing time
  if (/(^|_)date$/.test(name)) return local.slice(0, 10);
  if (FORMATTED_TIMES.has(name) && kind === 'string') return `${local.slice(0, 10)} ${local.slice(11, 19)}`;
  const inSeconds = !/_ms$/.test(name) && (ctx.protocol === '1.0' || ctx.type.startsWith('vc.') || name === 'time_stamp');
  const value = inSeconds ? seconds : seconds * 1000 + int(random, 0, 999);
  return kind === 'number' ? value : String(value);
}

/** Singular of an array field's name, for its items: `open_message_ids` → `open_message_id`. */
function singular(name) {
  if (name.endsWith('_list')) return name.slice(0, -'_list'.length);
  if (name.endsWith('ies')) return `${name.slice(0, -3)}y`;
  if (name.endsWith('ses')) return name.slice(0, -2);
  if (name.endsWith('s') && !name.endsWith('ss')) return name.slice(0, -1);
  return name;
}

function idValue(ctx, name, random) {
  if (/(^|_)open_id$/.test(name) || name === 'owner_open_id') return `ou_${hex(random, 32)}`;
  if (/(^|_)union_id$/.test(name)) return `on_${hex(random, 32)}`;
  if (/(^|_)(user_id|employee_id)$/.test(name) || /^leader_?id$/i.test(name)) return chars(random, ALNUM, 8);
  if (/(^|_)chat_id$/.test(name)) return `oc_${hex(random, 32)}`;
  if (/(^|_)message_id$/.test(name) || (['root_id', 'parent_id'].includes(name) && (ctx.type.startsWith('im.') || ctx.type === 'message'))) return `om_${hex(random, 32)}`;
  if (name === 'thread_id') return `omt_${hex(random, 16)}`;
  if (name === 'open_department_id' || (/(^|_)department_id$/.test(name) && !/^(corehr|hire|compensation|payroll|performance)\./.test(ctx.type))) return `od-${hex(random, 32)}`;
  if (/(^|_)app_id$/.test(name)) return `cli_${hex(random, 16)}`;
  if (/(^|_)(guid|uuid)$/.test(name)) return uuid(random);
  return undefined;
}

function stringValue(ctx, path, random) {
  const name = path[path.length - 1];
  const parent = path[path.length - 2] ?? '';
  if (ctx.depth === 1 && name === 'app_id') return SAMPLE_APP_ID;
  if (name === 'tenant_key') return ctx.depth === 1 ? SAMPLE_TENANT_KEY : hex(random, 16);
  if (isTimeName(name)) return timeValue(ctx, name, 'string', random);
  const id = idValue(ctx, name, random);
  if (id !== undefined) return id;
  if (/(^|_)(instance|approval|definition|task|form)_code$/.test(name) || (name === 'code' && /approval|instance/.test(parent))) return uuid(random).toUpperCase();
  if (name === 'code' && /mobile|phone/.test(parent)) return '86';
  if (name === 'number' && /mobile|phone/.test(parent)) return `1${int(random, 3, 9)}${chars(random, '0123456789', 9)}`;
  if (/(^|_)(mobile|phone)$/.test(name)) return `+861${int(random, 3, 9)}${chars(random, '0123456789', 9)}`;
  if (/(^|_)email$/.test(name)) return `${personAt(ctx.type, path.slice(0, -1)).email}@example.com`;
  if (/(^|_)(url|link|href)$/.test(name) || /^avatar/.test(name) || /(^|_)image$/.test(name)) return `https://example.feishu.cn/${name.replace(/_/g, '-')}/${chars(random, ALNUM, 12)}`;
  if (/(^|_)image_key$/.test(name)) return `img_v3_${hex(random, 4)}_${uuid(random)}`;
  if (/(^|_)file_key$/.test(name)) return `file_v3_${hex(random, 4)}_${uuid(random)}`;
  if (/(^|_)(token|obj_token|file_token)$/.test(name)) return `doxcn${chars(random, ALNUM + 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 22)}`;
  if (name === 'app_ticket') return chars(random, ALNUM, 24);
  if (['zh_cn', 'en_us', 'ja_jp'].includes(name)) return localized(subjectOf(path.slice(0, -1), ctx.type), name.slice(0, 2));
  if (name === 'en_name') return localized(subjectOf(path.slice(0, -1), ctx.type), 'en');
  if (/(^|_)name$/.test(name)) return localized(subjectOf(name === 'name' ? path.slice(0, -1) : path, ctx.type), 'zh');
  if (name === 'key' && /mention/.test(parent)) return '@_user_1';
  if (/(^|_)(operator|initiator|created_by|creator)$/.test(name)) return chars(random, ALNUM, 8);
  if (/(^|_)chat$/.test(name)) return `oc_${hex(random, 32)}`;
  if (/(^|_)department$/.test(name)) return `od-${hex(random, 32)}`;
  if (/(^|_)mail_address$/.test(name)) return `${personAt(ctx.type, path.slice(0, -1)).email}@example.com`;
  if (name === 'meeting_no') return digits(random, 9);
  if (name === 'employee_no') return `E${chars(random, '0123456789', 5)}`;
  if (/nickname/.test(name)) return localized(subjectOf([...path.slice(0, -1), 'user'], ctx.type), 'zh');
  if (/(^|_)city$/.test(name)) return '上海';
  if (/(^|_)country$/.test(name)) return '中国';
  if (/(^|_)mac_address$/.test(name)) return Array.from({ length: 6 }, () => hex(random, 2)).join(':');
  if (/serial_number$/.test(name)) return chars(random, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 12);
  if (/(^|_)color$/.test(name)) return '#3370FF';
  if (/(^|_)(language|locale|lang)$/.test(name)) return 'zh_cn';
  if (/^event(_type)?$/.test(name) && /event/.test(parent + (path[path.length - 3] ?? ''))) return 'im.message.receive_v1';
  if (/(^|_)(field_change|updated_field|field)$/.test(name)) return 'name';
  if (/(^|_)value$/.test(name)) return '示例值';
  if (/(^|_)(label|tag)$/.test(name)) return '示例标签';
  if (/(^|_)path$/.test(name)) return `/${chars(random, ALNUM, 6)}/${chars(random, ALNUM, 6)}`;
  if (name === 'user_agent') return 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Lark/7.30.0';
  if (/(^|_)status$/.test(name)) return 'active';
  if (/(^|_)(sender|operator|mentioned|user|member)_type$/.test(name)) return 'user';
  if (/(^|_)id_type$/.test(name)) return 'open_id';
  if (/(^|_)(file|obj|object)_type$/.test(name)) return 'docx';
  if (/(^|_)(permission|visibility)$/.test(name)) return 'all_members';
  if (/(^|_)unit$/.test(name)) return 'DAY';
  if (/(^|_)action$/.test(name)) return 'update';
  if (/^(msg_type|message_type)$/.test(name)) return 'text';
  if (name === 'content' && ctx.siblings.some((s) => /^(msg_type|message_type)$/.test(s))) return '{"text":"@_user_1 你好"}';
  if (/^text(_without_at_bot)?$/.test(name)) return '你好';
  if (/^(chat_type|chat_mode)$/.test(name)) return 'group';
  if (/^time_?zone$/.test(name)) return 'Asia/Shanghai';
  if (/(^|_)(description|desc)$/.test(name)) return '示例描述';
  if (/(^|_)reason$/.test(name)) return '示例原因';
  if (/(^|_)(comment|remark|note)$/.test(name)) return '示例备注';
  if (name === 'job_title') return '高级工程师';
  if (/(^|_)(title|subject|summary|topic)$/.test(name)) return '示例标题';
  if (/(^|_)(content|message|text)$/.test(name)) return '示例内容';
  if (/(^|_)version$/.test(name)) return '1.0.0';
  if (name === 'currency') return 'CNY';
  if (name === 'emoji_type') return 'SMILE';
  if (/(^|_)type$/.test(name)) return 'normal';
  if (/(^|_)id$/.test(name) || name === 'uid' || /(^|_)code$/.test(name)) return digits(random, 19);
  if (/(^|_)(key)$/.test(name)) return chars(random, ALNUM, 16);
  // An opaque value: most undocumented strings are codes, keys or enums the SDK does not spell out.
  return chars(random, ALNUM, 8);
}

function numberValue(ctx, path, random) {
  const name = path[path.length - 1];
  if (isTimeName(name)) return timeValue(ctx, name, 'number', random);
  if (/(^|_)(type|status|mode|source|role|level|kind|stage|state|result|scene|gender)$/.test(name)) return 1;
  if (/(^|_)(count|num|total|number|seats|size|amount_count)$/.test(name)) return int(random, 1, 20);
  if (/duration|interval/.test(name)) return int(random, 1, 120) * 60;
  if (/price|amount|fee|salary/.test(name)) return int(random, 1, 100) * 100;
  if (/(^|_)id$/.test(name)) return int(random, 100000, 999999);
  return int(random, 1, 100);
}

/** @param {Shape} shape */
function sampleOf(shape, ctx, path) {
  const random = prng(`${ctx.type}\u0000${path.join('/')}`);
  const name = path[path.length - 1];
  switch (shape.kind) {
    case 'string':
      return stringValue(ctx, path, random);
    case 'number':
      return numberValue(ctx, path, random);
    case 'boolean':
      return random() < 0.5;
    case 'any':
      return {};
    case 'enum':
      return shape.values[0];
    case 'object': {
      const out = {};
      const siblings = shape.fields.map((f) => f.name);
      for (const field of shape.fields) out[field.name] = sampleOf(field.shape, { ...ctx, depth: ctx.depth + 1, siblings }, [...path, field.name]);
      return out;
    }
    case 'record':
      return { [name === 'texts' ? '@i18n@1' : 'key']: sampleOf(shape.values, { ...ctx, depth: ctx.depth + 1, siblings: [] }, [...path, 'value']) };
    case 'array':
      return [sampleOf(shape.items, { ...ctx, depth: ctx.depth + 1, siblings: [] }, [...path, singular(name)])];
    case 'tuple': {
      const items = tupleAsArray(shape);
      if (items) return [sampleOf(items, { ...ctx, depth: ctx.depth + 1, siblings: [] }, [...path, singular(name)])];
      // The tuples of numbers in the declarations are [start, end] pairs of times (1.0 approvals: seconds).
      if (shape.elements.length === 2 && shape.elements.every((e) => e.kind === 'number')) {
        return [timeValue(ctx, 'start_time', 'number', random), timeValue(ctx, 'end_time', 'number', random)];
      }
      return shape.elements.map((element, i) => sampleOf(element, { ...ctx, depth: ctx.depth + 1, siblings: [] }, [...path, `${singular(name)}_${i}`]));
    }
    default:
      throw new Error(`unknown shape ${JSON.stringify(shape)}`);
  }
}

/** The representative sample of one generated event type. */
export function sampleFor(declaration) {
  const { event } = placeFields(declaration);
  const random = prng(declaration.type);
  // Late 2023 to late 2024, by event type: stable, and not the clock.
  const baseSeconds = 1_700_000_000 + (fnv1a(declaration.type) % 31_536_000);
  const ctx = { type: declaration.type, protocol: declaration.protocol, baseSeconds, depth: 1, siblings: event.map((f) => f.name) };
  const body = {};
  for (const field of event) {
    if (declaration.protocol === '1.0' && field.name === 'type') continue;
    body[field.name] = sampleOf(field.shape, ctx, [field.name]);
  }
  if (declaration.protocol === '2.0') {
    return {
      schema: '2.0',
      header: {
        event_id: hex(random, 32),
        event_type: declaration.type,
        create_time: String(baseSeconds * 1000 + int(random, 0, 999)),
        token: SAMPLE_TOKEN,
        app_id: SAMPLE_APP_ID,
        tenant_key: SAMPLE_TENANT_KEY,
      },
      event: body,
    };
  }
  return {
    ts: `${baseSeconds}.${chars(random, '0123456789', 6)}`,
    uuid: hex(random, 32),
    token: SAMPLE_TOKEN,
    type: 'event_callback',
    event: { type: declaration.type, ...body },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Declared fields, for the drift test

function declaredPaths(fields, prefix, out) {
  for (const field of fields) {
    const path = `${prefix}${field.name}`;
    walkShape(field.shape, path, field.optional, out);
  }
}

function walkShape(shape, path, optional, out) {
  const kind = shape.kind === 'tuple' && tupleAsArray(shape) ? 'array' : shape.kind;
  out.push({ path, type: kind === 'enum' ? 'string' : kind === 'record' ? 'object' : kind === 'tuple' ? 'array' : kind, optional, ...(shape.kind === 'enum' ? { enum: shape.values } : {}) });
  if (shape.kind === 'object') declaredPaths(shape.fields, `${path}.`, out);
  if (shape.kind === 'array') walkShape(shape.items, `${path}[]`, true, out);
  if (shape.kind === 'tuple' && tupleAsArray(shape)) walkShape(tupleAsArray(shape), `${path}[]`, true, out);
}

function declared(declaration) {
  const { header, envelope, event } = placeFields(declaration);
  const out = [];
  declaredPaths(header, 'header.', out);
  declaredPaths(envelope, '', out);
  declaredPaths(event.filter((f) => !(declaration.protocol === '1.0' && f.name === 'type')), 'event.', out);
  return { protocol: declaration.protocol, title: declaration.title, fields: out };
}

// ---------------------------------------------------------------------------------------------------------------
// Files

function json(value) {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Event types whose schema is in schemas/ and was not generated. */
function handWrittenTypes() {
  const out = new Set();
  for (const file of readdirSync(schemasDir)) {
    if (!file.endsWith(SCHEMA_SUFFIX)) continue;
    const schema = readJson(join(schemasDir, file));
    if (schema && schema[GENERATED_KEYWORD] === undefined) out.add(file.slice(0, -SCHEMA_SUFFIX.length));
  }
  return out;
}

/** Generated schema files in schemas/, by event type. */
function generatedOnDisk() {
  const out = new Set();
  for (const file of readdirSync(schemasDir)) {
    if (!file.endsWith(SCHEMA_SUFFIX)) continue;
    const schema = readJson(join(schemasDir, file));
    if (schema && schema[GENERATED_KEYWORD] !== undefined) out.add(file.slice(0, -SCHEMA_SUFFIX.length));
  }
  return out;
}

/** Every file the installed SDK gives, relative to the package root → its content. */
function expectedFiles(declarations, sdk, handWritten) {
  const files = new Map();
  let generated = 0;
  for (const declaration of declarations) {
    if (handWritten.has(declaration.type)) continue;
    generated++;
    files.set(`schemas/${declaration.type}${SCHEMA_SUFFIX}`, json(schemaFor(declaration, sdk)));
    files.set(`samples/${declaration.type}/doc.json`, json(sampleFor(declaration)));
  }
  return { files, generated };
}

function staleFiles(expected) {
  const stale = [];
  for (const type of generatedOnDisk()) {
    const schema = `schemas/${type}${SCHEMA_SUFFIX}`;
    if (expected.has(schema)) continue;
    stale.push(schema);
    if (existsSync(join(root, 'samples', type, 'doc.json'))) stale.push(`samples/${type}/doc.json`);
  }
  return stale;
}

function main(argv) {
  const check = argv.includes('--check');
  const declaredIndex = argv.indexOf('--declared');
  const unknown = argv.filter((arg, i) => arg.startsWith('-') && arg !== '--check' && arg !== '--declared' && !(declaredIndex !== -1 && i > declaredIndex));
  if (unknown.length > 0) fail(`unknown option ${unknown[0]} (use --check or --declared [type…])`);
  const sdk = sdkInfo();
  let text;
  try {
    text = readFileSync(sdk.declarations, 'utf8');
  } catch (error) {
    fail(`cannot read ${sdk.declarations}: ${error.message}`);
  }
  const declarations = readDeclarations(text);

  if (declaredIndex !== -1) {
    const wanted = argv.slice(declaredIndex + 1);
    const byType = new Map(declarations.map((d) => [d.type, d]));
    const types = {};
    for (const type of wanted.length > 0 ? wanted : [...byType.keys()]) {
      const declaration = byType.get(type);
      if (!declaration) fail(`${SDK}@${sdk.version} declares no event type ${type}`);
      types[type] = declared(declaration);
    }
    process.stdout.write(json({ sdk: `${SDK}@${sdk.version}`, types }));
    return;
  }

  const handWritten = handWrittenTypes();
  const { files, generated } = expectedFiles(declarations, sdk, handWritten);
  const stale = staleFiles(files);
  const differing = [];
  for (const [path, content] of files) {
    let current;
    try {
      current = readFileSync(join(root, path), 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== content) differing.push({ path, content, state: current === undefined ? 'missing' : 'differs' });
  }
  const from = `${SDK}@${sdk.version}`;
  const kept = declarations.length - generated;
  const counts = `${declarations.length} event types in ${from} (${declarations.filter((d) => d.protocol === '1.0').length} of them 1.0): ${kept} hand-written kept, ${generated} generated`;

  if (check) {
    if (differing.length === 0 && stale.length === 0) {
      process.stdout.write(`gen-catalog --check: up to date · ${counts}\n`);
      return;
    }
    const lines = [...differing.map((d) => `  ${d.path} (${d.state})`), ...stale.map((p) => `  ${p} (no longer declared by the SDK)`)];
    process.stderr.write(`gen-catalog --check: ${lines.length} file${lines.length === 1 ? ' differs' : 's differ'} from what ${from} produces:\n${lines.slice(0, 20).join('\n')}\n${lines.length > 20 ? `  … and ${lines.length - 20} more\n` : ''}run \`npm run gen:catalog\` and commit the result\n`);
    process.exit(1);
  }

  for (const { path, content } of differing) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  for (const path of stale) {
    rmSync(join(root, path), { force: true });
    if (path.startsWith('samples/')) {
      const dir = dirname(join(root, path));
      if (readdirSync(dir).length === 0) rmdirSync(dir);
    }
  }
  process.stdout.write(`gen-catalog: ${counts} · ${differing.length} files written, ${stale.length} removed\n`);
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) main(process.argv.slice(2));
