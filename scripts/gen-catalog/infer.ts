// Facts inferred from a field's name when the facts file has none: which fields are times (and in what unit)
// and which are ids (of what kind). The samples follow them, the schemas mark them `"from": "inferred"`, and the
// catalogue lint test holds the samples to them as to documented facts.
import type { Protocol } from './declarations.js';
import type { IdKind, Unit } from './facts.js';

/** 1.0 approval fields that carry a formatted local time, not a timestamp. */
const FORMATTED_TIMES = new Set([
  'leave_start_time', 'leave_end_time', 'out_start_time', 'out_end_time', 'work_start_time', 'work_end_time',
  'trip_start_time', 'trip_end_time', 'shift_time', 'return_time', 'change_time', 'event_time',
]);

export function isTimeName(name: string): boolean {
  return /(^|_)(time|timestamp|ts)$/.test(name) || /_at$/.test(name) || /_time_ms$/.test(name) || name === 'time_stamp' || /(^|_)date$/.test(name);
}

/** The unit of a time field, by its name: 2.0 events use milliseconds but for vc.*; 1.0 events seconds. */
export function inferredUnit(type: string, protocol: Protocol, name: string, kind: 'string' | 'number'): Unit | undefined {
  if (!isTimeName(name)) return undefined;
  if (/(^|_)date$/.test(name)) return 'date';
  if (FORMATTED_TIMES.has(name) && kind === 'string') return 'local-datetime';
  const inSeconds = !/_ms$/.test(name) && (protocol === '1.0' || type.startsWith('vc.') || name === 'time_stamp');
  return inSeconds ? 's' : 'ms';
}

/** The kind of an id string, by its name. */
export function inferredIdKind(type: string, name: string): IdKind | undefined {
  if (/(^|_)open_id$/.test(name)) return 'open_id';
  if (/(^|_)union_id$/.test(name)) return 'union_id';
  if (/(^|_)(user_id|employee_id)$/.test(name) || /^leader_?id$/i.test(name)) return 'user_id';
  if (/(^|_)chat_id$/.test(name) || /(^|_)chat$/.test(name)) return 'chat_id';
  if (/(^|_)message_id$/.test(name) || (['root_id', 'parent_id'].includes(name) && (type.startsWith('im.') || type === 'message'))) return 'message_id';
  if (name === 'thread_id') return 'thread_id';
  if (name === 'open_department_id' || /(^|_)department$/.test(name) || (/(^|_)department_id$/.test(name) && !/^(corehr|hire|compensation|payroll|performance)\./.test(type))) {
    return 'open_department_id';
  }
  if (/(^|_)app_id$/.test(name)) return 'app_id';
  if (/(^|_)(guid|uuid)$/.test(name)) return 'uuid';
  if (/(^|_)(instance|approval|definition|task|form)_code$/.test(name)) return 'uuid';
  if (/(^|_)id$/.test(name) || name === 'uid') return 'numeric';
  return undefined;
}
