// One line per Open API call, for the gateway log and the replay report. Imports only types and report/format.ts
// (which imports nothing): replay loads it.
import { clipId } from '../../report/format.js';
import type { CallRecord } from './types.js';

const TEXT_LIMIT = 40;

function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > TEXT_LIMIT ? `${flat.slice(0, TEXT_LIMIT)}…` : flat);
}

/** `reply om_ec85ff7d6… "hello"`, `token`, `GET /open-apis/contact/v3/users/ou_… 404`: what the call did, briefly. */
export function describeCall(call: Pick<CallRecord, 'kind' | 'method' | 'path' | 'target' | 'text' | 'status' | 'code' | 'fault' | 'repeat_of'>): string {
  const parts: string[] = [];
  const generic = call.kind === 'unknown_path' || call.kind === 'other' || call.kind === 'read';
  parts.push(generic ? `${call.method} ${call.path}` : call.kind);
  if (call.target !== undefined && !generic) parts.push(clipId(call.target));
  if (call.text !== undefined && call.text !== '') parts.push(quote(call.text));
  if (call.repeat_of !== undefined) parts.push('(same uuid: not sent again)');
  if (call.status !== 200 || call.code !== 0) parts.push(`→ ${call.status}${call.code !== -1 && call.code !== 0 ? ` code ${call.code}` : ''}${call.fault !== undefined ? ` (${call.fault})` : ''}`);
  return parts.join(' ');
}

/** Kinds that only read or authenticate: they change nothing a user sees, so `--max-calls-per-event` leaves them out. */
export const UNCOUNTED_KINDS: ReadonlySet<string> = new Set(['token', 'read', 'unknown_path']);
