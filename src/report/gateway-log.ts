import type { ChalkInstance } from 'chalk';
import { ms, plural } from './format.js';
import { describeCall } from '../gateway/open-api/summary.js';
import type { FaultRecord, GatewayEvent } from '../gateway/types.js';

/** `14:03:07.042`: the local time of day to the millisecond, for log lines. */
function timeWithMillis(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function bytes(n: number): string {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`;
}

function what(event: { event_type?: string; event_id?: string; message_id: string }): string {
  const type = event.event_type ?? '(unknown type)';
  return `${type} ${event.event_id !== undefined ? event.event_id.slice(0, 8) : event.message_id.slice(0, 8)}`;
}

function since(value: number | null): string {
  return value === null ? '—' : ms(value);
}

/** One fault's outcome for one client, in a line: what the app did, how fast, and what became of the events. */
export function formatFaultRecord(record: FaultRecord, c: ChalkInstance): string {
  const who = record.client ?? (record.new_client !== null ? `gateway → ${record.new_client}` : 'gateway');
  const parts: string[] = [];
  if (record.calls !== undefined) {
    // An Open API fault: what it did to calls, and whether the app's retry got through.
    const calls = record.calls;
    const slow = record.kind === 'api-slow';
    const out = [`${slow ? 'delayed' : 'refused'} ${plural(calls.shaped, 'call')}`];
    if (!slow) out.push(`retried ${calls.retries}`, calls.retry_ok_ms !== null ? `retry ok after ${since(calls.retry_ok_ms)}` : c.yellow('no successful retry yet'));
    out.push(`events ${record.events.length - record.unacked}/${record.events.length} acked`);
    const state = record.state === 'recovered' ? c.green('recovered') : record.state === 'cleared' ? c.dim('cleared') : c.yellow('active');
    return `${record.id} ${c.bold(record.spec)} → ${c.bold('Open API')}: ${out.join(' · ')} · ${state}`;
  }
  if (record.refused !== undefined) parts.push(`refused ${record.refused}`);
  if (record.delayed !== undefined) parts.push(`delayed ${record.delayed}`);
  if (record.client !== null) parts.push(`noticed ${since(record.noticed_ms)}${record.noticed_by !== null ? ` (${record.noticed_by})` : ''}`);
  parts.push(`reconnected ${since(record.reconnected_ms)}${record.new_client !== null && record.client !== null ? ` as ${record.new_client}` : ''}`);
  parts.push(`receiving ${since(record.receiving_ms)}`);
  const acked = record.events.length - record.unacked;
  parts.push(`events ${acked}/${record.events.length} acked`);
  if (record.duplicates > 0) parts.push(c.yellow(plural(record.duplicates, 'duplicate')));
  const state = record.state === 'recovered' ? c.green('recovered') : record.state === 'cleared' ? c.dim('cleared') : c.yellow('active');
  return `${record.id} ${c.bold(record.spec)} → ${c.bold(who)}: ${parts.join(' · ')} · ${state}`;
}

/** One human-readable line for the live log, or undefined for events not worth a line (pings). */
export function formatGatewayEvent(event: GatewayEvent, c: ChalkInstance): string | undefined {
  const at = c.dim(timeWithMillis(event.at));
  switch (event.type) {
    case 'listening':
      return `${at} ${c.green('listening')} on ${event.domain}`;
    case 'discovery':
      return event.ok
        ? `${at} ${c.dim('?')} discovery ${event.app_id} from ${event.remote}`
        : `${at} ${c.red('✗')} discovery refused for ${event.app_id || '(no app id)'}: ${event.msg ?? ''} (code ${event.code})`;
    case 'connected':
      return `${at} ${c.green('+')} ${c.bold(event.client)} connected · ${event.app_id} · ${event.remote} · ${plural(event.clients, 'client')}`;
    case 'disconnected':
      return `${at} ${c.yellow('-')} ${c.bold(event.client)} disconnected (${event.code}${event.reason ? ` ${event.reason}` : ''}) · ${plural(event.clients, 'client')}`;
    case 'rejected':
      return `${at} ${c.red('✗')} WebSocket from ${event.remote} refused: ${event.reason}`;
    case 'ping':
      return undefined;
    case 'push': {
      const target = event.client === undefined ? c.yellow('no client connected') : c.bold(event.client);
      const shape = `${event.fragments > 1 ? `${event.fragments} fragments, ` : ''}${bytes(event.bytes)}`;
      if (event.attempt === 1) return `${at} ${c.cyan('→')} ${target}  ${what(event)}  ${c.dim(shape)}`;
      return `${at} ${c.yellow('↻')} ${target}  re-push ${event.attempt - 1} of ${what(event)}${event.reason ? `: ${event.reason}` : ''}`;
    }
    case 'ack': {
      const mark = event.code === 200 ? c.green('✓') : c.red('✗');
      const attempt = event.attempt > 1 ? ` (re-push ${event.attempt - 1})` : '';
      const late = event.late ? c.dim(' late') : '';
      return `${at} ${mark} ${c.bold(event.client)}  ack ${event.code} in ${ms(event.ack_ms)}  ${what(event)}${attempt}${late}`;
    }
    case 'expired':
      return `${at} ${c.red('✗')} ${what(event)}: ${event.last_code !== undefined ? `acked with code ${event.last_code}, never 200,` : 'no ack'} after ${plural(event.pushes, 'push', 'pushes')}${event.redeliver ? '' : ' (re-push is off)'}`;
    case 'call': {
      const ok = event.status === 200 && event.code === 0;
      const mark = ok ? c.magenta('⇠') : c.red('⇠');
      const who = event.event !== undefined ? c.dim(`  for ${event.event.event_type ?? 'event'} ${event.event.event_id.slice(0, 8)}${event.event.attempt !== undefined && event.event.attempt > 1 ? ` (re-push ${event.event.attempt - 1})` : ''}`) : '';
      return `${at} ${mark} ${c.bold(event.app_id ?? 'unknown app')}  ${describeCall(event)}${who}`;
    }
    case 'held':
      return `${at} ${c.yellow('…')} ${what(event)} waits: ${event.reason}`;
    case 'fault':
      return `${at} ${c.magenta('⚡')} ${event.id} ${c.bold(event.spec)}${event.clients.length > 0 ? ` → ${event.clients.join(', ')}` : ''}`;
    case 'refused':
      return `${at} ${c.magenta('⚡')} ${event.what === 'endpoint' ? 'endpoint discovery' : 'WebSocket handshake'} from ${event.remote} refused (${event.how}) by ${event.fault} · ${event.left} left`;
    case 'restarting':
      return `${at} ${c.magenta('⚡')} restarting (${event.fault}): back in ${ms(event.pause_ms)}`;
    case 'restarted':
      return `${at} ${c.green('listening')} again (${event.fault})`;
    case 'fault_report':
      return `${at} ${c.magenta('⚡')} ${formatFaultRecord(event, c)}`;
    case 'resilience':
      return [`${at} resilience report:`, ...event.faults.map((f) => `  ${formatFaultRecord(f, c)}`)].join('\n');
    case 'frame_error':
      return `${at} ${c.red('!')} ${c.bold(event.client)}: ${event.error}`;
    case 'closed':
      return `${at} ${c.dim('stopped')}`;
  }
}
