import { isRecord } from '../protocol/envelope.js';
import { clipId } from '../report/format.js';

/** Meanings of `corehr.employee.domain_event_v2` sub-event types, from the event's documentation. */
export const EMPLOYEE_SUB_EVENTS: Readonly<Record<string, string>> = {
  '1001': '新入职',
  '2001': '更新人员信息',
  '4001': '创建兼职',
  '4002': '编缉兼职',
  '4003': '撤销兼职',
  '4004': '结束兼职',
  '4005': '删除兼职',
  '5001': '添加异动',
  '5002': '编辑异动信息',
  '5003': '撤销异动',
  '7001': '离职通过',
  '7002': '撤销离职',
  '8001': '新增第一条记录',
  '8002': '新增第一条之后的自定义组织记录',
  '8003': '编辑自定义组织记录',
};

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function list(value: unknown, max = 4): string | undefined {
  if (!Array.isArray(value)) return undefined;
  const items = value.map((v) => text(v) ?? JSON.stringify(v));
  if (items.length === 0) return '(none)';
  return items.length > max ? `${items.slice(0, max).join(', ')} +${items.length - max}` : items.join(', ');
}

function join(parts: Array<string | undefined>): string {
  return parts.filter((p): p is string => p !== undefined && p !== '').join('  ');
}

const READ_FIRST = new Set(['name', 'title', 'summary', 'subject', 'topic']);

/**
 * A generic one-liner: the first few scalar fields of the event; when it has none (contact.*, calendar.*… carry
 * everything in `object`), those of its first object field, `object` first.
 */
function generic(event: Record<string, unknown>, depth = 0): string {
  const parts: string[] = [];
  // What a person reads first (a name, a title), then the fields in their order.
  const entries = Object.entries(event).sort(([a], [b]) => Number(!READ_FIRST.has(a)) - Number(!READ_FIRST.has(b)));
  for (const [key, value] of entries) {
    const t = text(value);
    if (t === undefined) continue;
    parts.push(`${key}=${t.length > 24 ? `${t.slice(0, 23)}…` : t}`);
    if (parts.length === 3) break;
  }
  if (parts.length > 0 || depth > 0) return parts.join(' ');
  const inner = isRecord(event.object) ? event.object : Object.values(event).find(isRecord);
  return inner ? generic(inner, depth + 1) : '';
}

/** clipId for an id that may be missing. */
function clipMaybeId(id: string | undefined): string | undefined {
  return id && clipId(id);
}

/** The readable text of a message's `content` (a JSON string whose shape depends on message_type). */
export function messageText(messageType: string | undefined, content: unknown, mentions: unknown): string | undefined {
  let parsed: unknown;
  try {
    parsed = typeof content === 'string' ? JSON.parse(content) : content;
  } catch {
    return typeof content === 'string' ? content : undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const names = new Map<string, string>();
  if (Array.isArray(mentions)) for (const m of mentions) if (isRecord(m) && typeof m.key === 'string' && typeof m.name === 'string') names.set(m.key, m.name);
  const withNames = (t: string): string => t.replace(/@_user_\d+|@_all/g, (key) => (key === '@_all' ? '@all' : `@${names.get(key) ?? key.slice(1)}`));
  switch (messageType) {
    case 'text':
      return typeof parsed.text === 'string' ? withNames(parsed.text).replace(/\s+/g, ' ').trim() : undefined;
    case 'post': {
      // {title, content: [[{tag, text}…]…]}, possibly inside a locale key (zh_cn, en_us…).
      const post = Array.isArray(parsed.content) ? parsed : (Object.values(parsed).find((v) => isRecord(v) && Array.isArray(v.content)) as Record<string, unknown> | undefined);
      if (!post) return undefined;
      const words: string[] = [];
      if (typeof post.title === 'string' && post.title) words.push(post.title);
      for (const line of post.content as unknown[]) {
        if (!Array.isArray(line)) continue;
        for (const node of line) if (isRecord(node) && typeof node.text === 'string') words.push(node.text);
          else if (isRecord(node) && node.tag === 'at') words.push(`@${text(node.user_name) ?? text(node.user_id) ?? ''}`);
      }
      return withNames(words.join(' ')).replace(/\s+/g, ' ').trim();
    }
    case 'file':
    case 'media':
      return text(parsed.file_name) ?? `[${messageType}]`;
    default:
      return messageType ? `[${messageType}]` : undefined;
  }
}

/** im.message.receive_v1: what was said first, then the message type, the chat and the sender. */
function messageSummary(event: Record<string, unknown>): string {
  const message = isRecord(event.message) ? event.message : {};
  const sender = isRecord(event.sender) ? event.sender : {};
  const senderId = isRecord(sender.sender_id) ? sender.sender_id : {};
  const type = text(message.message_type);
  const said = messageText(type, message.content, message.mentions);
  return join([
    type,
    said !== undefined && type !== undefined && said !== `[${type}]` ? `"${said.length > 80 ? `${said.slice(0, 79)}…` : said}"` : undefined,
    text(message.chat_type) && `${text(message.chat_type)} ${clipMaybeId(text(message.chat_id)) ?? ''}`.trim(),
    clipMaybeId(text(senderId.open_id) ?? text(senderId.user_id) ?? text(senderId.union_id)) && `from ${clipMaybeId(text(senderId.open_id) ?? text(senderId.user_id) ?? text(senderId.union_id))}`,
  ]);
}

/** A callback stands out: ◆, the action's tag and value (or the previewed link), who did it. */
function callbackSummary(event: Record<string, unknown>): string {
  const action = isRecord(event.action) ? event.action : undefined;
  const operator = isRecord(event.operator) ? event.operator : {};
  const context = isRecord(event.context) ? event.context : {};
  const value = action && action.value !== undefined ? JSON.stringify(action.value) : undefined;
  const picked = action && (text(action.option) ?? (Array.isArray(action.options) ? action.options.map(String).join(',') : undefined) ?? text(action.input_value) ?? (typeof action.checked === 'boolean' ? (action.checked ? 'checked' : 'unchecked') : undefined));
  const what = action
    ? join([text(action.tag) ?? 'action', picked !== undefined ? `= ${picked}` : undefined, isRecord(action.form_value) ? `form ${JSON.stringify(action.form_value)}` : undefined, value && (value.length > 60 ? `${value.slice(0, 59)}…` : value)])
    : join(['link', text(context.url)]);
  const who = clipMaybeId(text(operator.open_id) ?? text(operator.user_id));
  return `◆ ${join([what, who && `by ${who}`])}`;
}

/** One line that says what an event is about: candidate name, employment and sub-event, department and changes… */
export function summarizeEvent(eventType: string | undefined, envelope: unknown): string {
  if (!isRecord(envelope)) return '';
  const event = isRecord(envelope.event) ? envelope.event : {};
  const candidate = isRecord(event.candidate_info) ? event.candidate_info : {};
  // What the event means first, ids last: the line is cut at the terminal's edge.
  switch (eventType) {
    case 'hire.eco_background_check.created_v1':
      return join([text(candidate.name), text(event.package_id) && `package ${text(event.package_id)}`, text(event.background_check_id) && `check ${text(event.background_check_id)}`]);
    case 'hire.eco_background_check.canceled_v1':
      return join([text(event.termination_reason), text(event.background_check_id) && `check ${text(event.background_check_id)}`]);
    case 'hire.eco_exam.created_v1':
      return join([text(candidate.name), text(event.paper_id) && `paper ${text(event.paper_id)}`, text(event.exam_id) && `exam ${text(event.exam_id)}`]);
    case 'corehr.employee.domain_event_v2': {
      const sub = text(event.sub_event_type);
      return join([
        sub && `${sub} ${EMPLOYEE_SUB_EVENTS[sub] ?? ''}`.trim(),
        Array.isArray(event.data) ? `${event.data.length} change${event.data.length === 1 ? '' : 's'}` : undefined,
        text(event.employment_id) && `employment ${text(event.employment_id)}`,
      ]);
    }
    case 'corehr.department.updated_v2':
      return join([list(event.field_changes), text(event.department_id) && `department ${text(event.department_id)}`]);
    case 'im.message.receive_v1':
      return messageSummary(event);
    case 'card.action.trigger':
    case 'url.preview.get':
      return callbackSummary(event);
    default:
      return generic(event);
  }
}
