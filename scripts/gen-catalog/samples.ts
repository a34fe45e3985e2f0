// Samples: plausible values by field name, seeded by the event type and the field's path, so that the output
// depends on nothing but the declarations and the facts (no clock, no randomness).
import { DOC_SAMPLE } from '../../src/catalog/samples.js';
import { tupleAsArray, type Declaration, type Protocol, type Shape } from './declarations.js';
import { factsAt, placeWithFacts, type FactsFile, type FieldFacts, type IdKind, type Unit } from './facts.js';
import { inferredIdKind, inferredUnit } from './infer.js';

/** The app the samples come from: the same app id, tenant and token as the hand-written samples. */
export const SAMPLE_APP_ID = 'cli_9f5343c580712544';
export const SAMPLE_TENANT_KEY = '2ca1d211f64f6438';
export const SAMPLE_TOKEN = 'rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV';

interface Context {
  type: string;
  protocol: Protocol;
  /** The event's own time, in seconds: every time in the sample is near it. */
  baseSeconds: number;
  depth: number;
  /** Names of the fields beside this one. */
  siblings: string[];
  facts: FactsFile;
}

export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** mulberry32, seeded. */
export type Random = () => number;

export function prng(seedText: string): Random {
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
const chars = (random: Random, alphabet: string, n: number): string => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
const hex = (random: Random, n: number): string => chars(random, HEX, n);
const digits = (random: Random, n: number): string => `${1 + Math.floor(random() * 9)}${chars(random, '0123456789', n - 1)}`;
const int = (random: Random, min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
function uuid(random: Random): string {
  const h = hex(random, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[int(random, 0, 3)]}${h.slice(17, 20)}-${h.slice(20)}`;
}

interface Person {
  zh: string;
  en: string;
  ja: string;
  email: string;
}
interface Thing {
  zh: string;
  en: string;
  ja: string;
}

const PEOPLE: Person[] = [
  { zh: '张三', en: 'San Zhang', ja: '張三', email: 'zhangsan' },
  { zh: '李四', en: 'Si Li', ja: '李四', email: 'lisi' },
  { zh: '王五', en: 'Wu Wang', ja: '王五', email: 'wangwu' },
  { zh: '陈晨', en: 'Chen Chen', ja: '陳晨', email: 'chenchen' },
  { zh: '刘洋', en: 'Yang Liu', ja: '劉洋', email: 'liuyang' },
];
const THINGS: Array<[RegExp, Thing]> = [
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
function personAt(eventType: string, objectPath: string[]): Person {
  return PEOPLE[fnv1a(`${eventType}\u0000${objectPath.join('/')}`) % PEOPLE.length] as Person;
}

/**
 * A person or a thing for a name-like field: the nearest word along its path that says which, else the event's
 * resource (`contact.user.created_v3`: a user).
 */
type Subject = { person: Person } | { thing: Thing };

function subjectOf(path: string[], eventType: string): Subject {
  const words = [...eventType.split('.').slice(0, -1), ...path].map((w) => w.toLowerCase());
  for (let i = words.length - 1; i >= 0; i--) {
    const word = words[i] as string;
    if (PERSON_WORDS.test(word)) return { person: personAt(eventType, path) };
    for (const [pattern, thing] of THINGS) if (pattern.test(word)) return { thing };
  }
  return { thing: { zh: '示例名称', en: 'Example', ja: 'サンプル' } };
}

function localized(subject: Subject, locale: 'zh' | 'en' | 'ja'): string {
  if ('person' in subject) return locale === 'en' ? subject.person.en : locale === 'ja' ? subject.person.ja : subject.person.zh;
  return subject.thing[locale];
}

/** A time near the event's own time, in a unit; `hint` (the field's name and its parent's) says start or end. */
function timeValue(ctx: Context, hint: string, unit: Unit, kind: 'string' | 'number', random: Random): string | number {
  // Starts before ends, within the day before the event; other times within the week before it.
  const day = ctx.baseSeconds - 86400;
  const seconds = /(^|_)(start|begin|open|join)(_|$)/.test(hint)
    ? day - int(random, 3600, 8 * 3600)
    : /(^|_)(end|finish|close|closed|return|leave)(_|$)/.test(hint)
      ? day + int(random, 0, 3600)
      : ctx.baseSeconds - int(random, 0, 7 * 86400);
  const local = new Date((seconds + 8 * 3600) * 1000).toISOString(); // UTC+8, Beijing time
  if (unit === 'date') return local.slice(0, 10);
  if (unit === 'local-datetime') return `${local.slice(0, 10)} ${local.slice(11, 19)}`;
  const value = unit === 's' ? seconds : seconds * 1000 + int(random, 0, 999);
  return kind === 'number' ? value : String(value);
}

/** Singular of an array field's name, for its items: `open_message_ids` → `open_message_id`. */
function singular(name: string): string {
  if (name.endsWith('_list')) return name.slice(0, -'_list'.length);
  if (name.endsWith('ies')) return `${name.slice(0, -3)}y`;
  if (name.endsWith('ses')) return name.slice(0, -2);
  if (name.endsWith('s') && !name.endsWith('ss')) return name.slice(0, -1);
  return name;
}

function idValue(kind: IdKind, random: Random): string {
  switch (kind) {
    case 'open_id':
      return `ou_${hex(random, 32)}`;
    case 'union_id':
      return `on_${hex(random, 32)}`;
    case 'user_id':
      return chars(random, ALNUM, 8);
    case 'chat_id':
      return `oc_${hex(random, 32)}`;
    case 'message_id':
      return `om_${hex(random, 32)}`;
    case 'thread_id':
      return `omt_${hex(random, 16)}`;
    case 'app_id':
      return `cli_${hex(random, 16)}`;
    case 'open_department_id':
      return `od-${hex(random, 32)}`;
    case 'numeric':
      return digits(random, 19);
    case 'uuid':
      return uuid(random).toUpperCase();
  }
}

function stringValue(ctx: Context, path: string[], random: Random): string {
  const name = path[path.length - 1] ?? '';
  const parent = path[path.length - 2] ?? '';
  if (ctx.depth === 1 && name === 'app_id') return SAMPLE_APP_ID;
  if (name === 'tenant_key') return ctx.depth === 1 ? SAMPLE_TENANT_KEY : hex(random, 16);
  if (name === 'code' && /approval|instance/.test(parent)) return uuid(random).toUpperCase();
  if (name === 'code' && /mobile|phone/.test(parent)) return '86';
  if (name === 'number' && /mobile|phone/.test(parent)) return `1${int(random, 3, 9)}${chars(random, '0123456789', 9)}`;
  if (/(^|_)(mobile|phone)$/.test(name)) return `+861${int(random, 3, 9)}${chars(random, '0123456789', 9)}`;
  if (/(^|_)email$/.test(name)) return `${personAt(ctx.type, path.slice(0, -1)).email}@example.com`;
  if (/(^|_)(url|link|href)$/.test(name) || /^avatar/.test(name) || /(^|_)image$/.test(name)) return `https://example.feishu.cn/${name.replace(/_/g, '-')}/${chars(random, ALNUM, 12)}`;
  if (/(^|_)image_key$/.test(name)) return `img_v3_${hex(random, 4)}_${uuid(random)}`;
  if (/(^|_)file_key$/.test(name)) return `file_v3_${hex(random, 4)}_${uuid(random)}`;
  if (/(^|_)(token|obj_token|file_token)$/.test(name)) return `doxcn${chars(random, ALNUM + 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 22)}`;
  if (name === 'app_ticket') return chars(random, ALNUM, 24);
  if (['zh_cn', 'en_us', 'ja_jp'].includes(name)) return localized(subjectOf(path.slice(0, -1), ctx.type), name.slice(0, 2) as 'zh' | 'en' | 'ja');
  if (name === 'en_name') return localized(subjectOf(path.slice(0, -1), ctx.type), 'en');
  if (/(^|_)name$/.test(name)) return localized(subjectOf(name === 'name' ? path.slice(0, -1) : path, ctx.type), 'zh');
  if (name === 'key' && /mention/.test(parent)) return '@_user_1';
  if (/(^|_)(operator|initiator|created_by|creator)$/.test(name)) return chars(random, ALNUM, 8);
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
  if (/(^|_)code$/.test(name)) return digits(random, 19);
  if (/(^|_)(key)$/.test(name)) return chars(random, ALNUM, 16);
  // An opaque value: most undocumented strings are codes, keys or enums the SDK does not spell out.
  return chars(random, ALNUM, 8);
}

function numberValue(ctx: Context, path: string[], random: Random): number {
  const name = path[path.length - 1] ?? '';
  if (/(^|_)(type|status|mode|source|role|level|kind|stage|state|result|scene|gender)$/.test(name)) return 1;
  if (/(^|_)(count|num|total|number|seats|size|amount_count)$/.test(name)) return int(random, 1, 20);
  if (/duration|interval/.test(name)) return int(random, 1, 120) * 60;
  if (/price|amount|fee|salary/.test(name)) return int(random, 1, 100) * 100;
  if (/(^|_)id$/.test(name)) return int(random, 100000, 999999);
  return int(random, 1, 100);
}

/** The facts a sample follows at a path: the documented ones, else the ones inferred from the name. */
export function fieldFacts(facts: FactsFile, type: string, protocol: Protocol, path: string, kind: 'string' | 'number', name: string): FieldFacts {
  const documented = factsAt(facts, type, path)?.facts ?? {};
  const inferred: FieldFacts = {};
  if (documented.unit === undefined && documented.enum === undefined && documented.json === undefined) {
    const unit = inferredUnit(type, protocol, name, kind);
    if (unit) inferred.unit = unit;
    else if (documented.id === undefined && kind === 'string' && !(path.split('.').length === 2 && name === 'app_id')) {
      const id = inferredIdKind(type, name);
      if (id) inferred.id = id;
    }
  }
  return { ...inferred, ...documented };
}

/**
 * A documented example worth showing as it is: not masked (`om_dc13***`), not a placeholder, not an address or a
 * number someone may own (emails, URLs and phone numbers are made up on example.com / example.feishu.cn).
 */
function usableExample(example: string | undefined): example is string {
  return example !== undefined && example !== '' && !/\*|x{3,}|^(string|int|bool|null)$|@|^https?:|^\+?\d{7,}$/i.test(example);
}

function factValue(fact: FieldFacts, kind: 'string' | 'number', hint: string, ctx: Context, random: Random): unknown {
  if (fact.sample !== undefined && !fact.json) return fact.sample;
  if (fact.enum) {
    const [first] = Object.keys(fact.enum);
    if (first !== undefined) return kind === 'number' ? Number(first) : first;
  }
  if (fact.json && kind === 'string') {
    if (fact.variants) return JSON.stringify(Object.values(fact.variants)[0]);
    return JSON.stringify(fact.sample ?? {});
  }
  if (fact.unit) return timeValue(ctx, hint, fact.unit, kind, random);
  if (fact.id && kind === 'string') return idValue(fact.id, random);
  // Names are made up per object instead, so that a person's name, English name and email agree.
  const isName = /(^|_)name$/.test(hint);
  if (!isName && usableExample(fact.example) && !(kind === 'number' && Number.isNaN(Number(fact.example)))) return kind === 'number' ? Number(fact.example) : fact.example;
  return undefined;
}

function sampleOf(shape: Shape, ctx: Context, path: string[], factPath: string): unknown {
  const random = prng(`${ctx.type}\u0000${path.join('/')}`);
  const name = path[path.length - 1] ?? '';
  const child = (siblings: string[]): Context => ({ ...ctx, depth: ctx.depth + 1, siblings });
  switch (shape.kind) {
    case 'string':
    case 'number': {
      if (shape.kind === 'string' && ctx.depth === 1 && name === 'app_id') return SAMPLE_APP_ID;
      if (shape.kind === 'string' && name === 'tenant_key') return ctx.depth === 1 ? SAMPLE_TENANT_KEY : hex(random, 16);
      const fact = fieldFacts(ctx.facts, ctx.type, ctx.protocol, factPath, shape.kind, name);
      const value = factValue(fact, shape.kind, `${path[path.length - 2] ?? ''}_${name}`, ctx, random);
      if (value !== undefined) return value;
      return shape.kind === 'string' ? stringValue(ctx, path, random) : numberValue(ctx, path, random);
    }
    case 'boolean':
      return random() < 0.5;
    case 'any':
      return {};
    case 'enum':
      return shape.values[0];
    case 'object': {
      const out: Record<string, unknown> = {};
      const siblings = shape.fields.map((f) => f.name);
      for (const field of shape.fields) out[field.name] = sampleOf(field.shape, child(siblings), [...path, field.name], `${factPath}.${field.name}`);
      return out;
    }
    case 'record':
      return { [name === 'texts' ? '@i18n@1' : 'key']: sampleOf(shape.values, child([]), [...path, 'value'], `${factPath}.*`) };
    case 'array':
      return [sampleOf(shape.items, child([]), [...path, singular(name)], `${factPath}[]`)];
    case 'tuple': {
      const items = tupleAsArray(shape);
      if (items) return [sampleOf(items, child([]), [...path, singular(name)], `${factPath}[]`)];
      // The tuples of numbers in the declarations are [start, end] pairs of times (1.0 approvals: seconds).
      if (shape.elements.length === 2 && shape.elements.every((e) => e.kind === 'number')) {
        return [timeValue(ctx, 'start_time', 's', 'number', random), timeValue(ctx, 'end_time', 's', 'number', random)];
      }
      return shape.elements.map((element, i) => sampleOf(element, child([]), [...path, `${singular(name)}_${i}`], `${factPath}[]`));
    }
  }
}

function at(root: Record<string, unknown>, path: string): Record<string, unknown> | undefined {
  let node: unknown = root;
  for (const key of path.split('.')) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  return typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as Record<string, unknown>) : undefined;
}

/** `old_object`-like fields: only the changed fields, of the same object (its open_id), with other values. */
function keepOnlyChanged(envelope: Record<string, unknown>, type: string, facts: FactsFile): void {
  for (const [path, fact] of Object.entries(facts.types[type]?.fields ?? {})) {
    if (!fact.changedFieldsOf || !path.startsWith('event.')) continue;
    const event = envelope.event as Record<string, unknown>;
    const before = at(envelope, path);
    const after = at(envelope, fact.changedFieldsOf);
    if (!before || !after) continue;
    const changed: Record<string, unknown> = {};
    if ('open_id' in after) changed.open_id = after.open_id;
    for (const key of fact.sampleChanged ?? []) {
      if (!(key in before)) continue;
      let value = before[key];
      if (JSON.stringify(value) === JSON.stringify(after[key])) value = typeof value === 'string' ? `${value}（原）` : value;
      changed[key] = value;
    }
    const parent = path.split('.').slice(1, -1).reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, event);
    parent[path.split('.').pop() as string] = changed;
  }
}

/** The samples of one generated event type: `doc`, and one per variant of a field whose content depends on another. */
export function samplesFor(declaration: Declaration, facts: FactsFile): Array<{ name: string; sample: Record<string, unknown> }> {
  const { event } = placeWithFacts(declaration, facts);
  const random = prng(declaration.type);
  // Within the day before the facts file's sampleTime, by event type: recent, stable, and not the clock.
  const baseSeconds = Math.floor(Date.parse(facts.sampleTime) / 1000) - (fnv1a(declaration.type) % 86_400);
  const ctx: Context = { type: declaration.type, protocol: declaration.protocol, baseSeconds, depth: 1, siblings: event.map((f) => f.name), facts };
  const body: Record<string, unknown> = {};
  for (const field of event) {
    if (declaration.protocol === '1.0' && field.name === 'type') continue;
    body[field.name] = sampleOf(field.shape, ctx, [field.name], `event.${field.name}`);
  }
  const doc: Record<string, unknown> =
    declaration.protocol === '2.0'
      ? {
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
        }
      : {
          ts: `${baseSeconds}.${chars(random, '0123456789', 6)}`,
          uuid: hex(random, 32),
          token: SAMPLE_TOKEN,
          type: 'event_callback',
          event: { type: declaration.type, ...body },
        };
  keepOnlyChanged(doc, declaration.type, facts);
  const out = [{ name: DOC_SAMPLE, sample: doc }];
  for (const [path, fact] of Object.entries(facts.types[declaration.type]?.fields ?? {})) {
    if (!fact.variantsBy || !fact.variants) continue;
    const objectPath = path.split('.').slice(0, -1).join('.');
    const field = path.split('.').pop() as string;
    for (const [variant, content] of Object.entries(fact.variants).slice(1)) {
      const sample = structuredClone(doc);
      const object = at(sample, objectPath);
      if (!object) continue;
      object[fact.variantsBy] = variant;
      object[field] = JSON.stringify(content);
      // Only text and post messages mention someone in their content.
      if (!JSON.stringify(content).includes('@_user_1')) delete object.mentions;
      const variantRandom = prng(`${declaration.type}\u0000${variant}`);
      if (isRecord(sample.header)) sample.header.event_id = hex(variantRandom, 32);
      else sample.uuid = hex(variantRandom, 32);
      if (typeof object.message_id === 'string') object.message_id = idValue('message_id', variantRandom);
      out.push({ name: variant, sample });
    }
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
