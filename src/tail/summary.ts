import { isRecord } from '../protocol/envelope.js';

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

/** A generic one-liner: the first few scalar fields of the event. */
function generic(event: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(event)) {
    const t = text(value);
    if (t === undefined) continue;
    parts.push(`${key}=${t.length > 24 ? `${t.slice(0, 23)}…` : t}`);
    if (parts.length === 3) break;
  }
  return parts.join(' ');
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
    default:
      return generic(event);
  }
}
