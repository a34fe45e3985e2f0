import { Box, Text } from 'ink';
import { maskId } from '../config.js';
import { selectedEvent, visibleEvents, type ConnectionState, type TailEvent, type TailState } from '../tail/state.js';
import { clock, pad, shortId, truncate, uptime } from './format.js';
import { TAIL_HELP } from './keys.js';

export interface TailViewProps {
  state: TailState;
  appId: string;
  domain: string;
  width: number;
  height: number;
  now: number;
}

const STATE_COLOR: Record<ConnectionState, string> = { connecting: 'yellow', connected: 'green', reconnecting: 'yellow', failed: 'red' };

function Header({ state, appId, domain, width, now }: Omit<TailViewProps, 'height'>) {
  const host = domain.replace(/^https?:\/\//, '');
  const types = Object.entries(state.perType)
    .sort((a, b) => b[1] - a[1])
    .map(([type, n]) => `${type.replace(/_v\d+$/, '').split('.').slice(-2).join('.')} ${n}`)
    .join(' · ');
  const counters = `received ${state.received}  invalid ${state.invalid}  duplicates ${state.duplicates}`;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>feishu-events tail</Text> {maskId(appId)} @ {host}  <Text color={STATE_COLOR[state.connection]}>● {state.connection}</Text>
        <Text dimColor>  up {uptime(now - state.startedAt)}</Text>
      </Text>
      <Text wrap="truncate">
        {counters}
        <Text dimColor>{types ? `   ${truncate(types, Math.max(0, width - counters.length - 3))}` : ''}</Text>
      </Text>
      {state.connection === 'failed' && state.connectionError ? <Text color="red" wrap="truncate">{state.connectionError}</Text> : null}
    </Box>
  );
}

/** The line under the header: modes that change what the list shows. */
function Rule({ state, width }: { state: TailState; width: number }) {
  const tags = [!state.following ? 'paused' : '', state.filter ? `filter: ${state.filter}` : ''].filter(Boolean).map((t) => ` ${t} `);
  const used = tags.reduce((n, t) => n + t.length + 2, 0);
  return (
    <Text dimColor wrap="truncate">
      {tags.map((t) => (
        <Text key={t}>
          {'──'}
          <Text color={t.includes('paused') ? 'yellow' : 'cyan'} dimColor={false}>
            {t}
          </Text>
        </Text>
      ))}
      {'─'.repeat(Math.max(0, width - used))}
    </Text>
  );
}

function Row({ event, selected, width, typeWidth }: { event: TailEvent; selected: boolean; width: number; typeWidth: number }) {
  const mark = event.valid === false ? '✗' : event.valid === true ? '✓' : '·';
  const markColor = event.valid === false ? 'red' : event.valid === true ? 'green' : 'gray';
  const fixed = 2 + 9 + typeWidth + 1 + 9 + 3;
  const forward = event.forward ? (event.forward.ok ? ` →${event.forward.status ?? ''}` : ' →✗') : '';
  const summaryWidth = Math.max(0, width - fixed - forward.length);
  return (
    <Text wrap="truncate" inverse={selected}>
      <Text color={markColor}>{mark}</Text> <Text dimColor>{clock(event.receivedAt)}</Text> {pad(event.eventType, typeWidth)} <Text color="gray">{shortId(event.eventId)}</Text>{' '}
      {event.duplicate ? <Text color="magenta">↻</Text> : ' '} {truncate(event.summary, summaryWidth)}
      {forward ? <Text color={event.forward?.ok ? 'green' : 'red'}>{forward}</Text> : null}
    </Text>
  );
}

type Token = { text: string; color?: string };

/** Colour JSON line by line: keys, strings, numbers, literals. */
export function colorJsonLine(line: string): Token[] {
  const tokens: Token[] = [];
  const re = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b/g;
  let last = 0;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (m.index > last) tokens.push({ text: line.slice(last, m.index) });
    if (m[1] !== undefined) {
      tokens.push({ text: m[1], color: m[2] !== undefined ? 'cyan' : 'green' });
      if (m[2] !== undefined) tokens.push({ text: m[2] });
    } else if (m[3] !== undefined) tokens.push({ text: m[3], color: 'yellow' });
    else tokens.push({ text: m[4] as string, color: 'magenta' });
    last = re.lastIndex;
  }
  if (last < line.length) tokens.push({ text: line.slice(last) });
  return tokens;
}

function Details({ event, width, height }: { event: TailEvent; width: number; height: number }) {
  const findingLines = event.valid === false ? event.findings.map((f) => `✗ ${f}`) : event.valid === true ? ['✓ valid'] : ['· no schema for this type'];
  const jsonLines = JSON.stringify(event.envelope, null, 2).split('\n');
  const room = Math.max(1, height - 1 - findingLines.length);
  const shown = jsonLines.slice(0, jsonLines.length > room ? room - 1 : room);
  return (
    <Box flexDirection="column" height={height}>
      <Text bold wrap="truncate">
        {event.eventType} <Text dimColor>{event.eventId}{event.forward ? `  forwarded: ${event.forward.ok ? event.forward.status : (event.forward.error ?? 'failed')}` : ''}</Text>
      </Text>
      {findingLines.map((line, i) => (
        <Text key={`f${i}`} color={event.valid === false ? 'red' : event.valid ? 'green' : 'gray'} wrap="truncate">
          {truncate(line, width)}
        </Text>
      ))}
      {shown.map((line, i) => (
        <Text key={`j${i}`} wrap="truncate">
          {colorJsonLine(truncate(line, width)).map((t, k) => (
            <Text key={k} {...(t.color ? { color: t.color } : {})}>
              {t.text}
            </Text>
          ))}
        </Text>
      ))}
      {jsonLines.length > shown.length ? <Text dimColor>… {jsonLines.length - shown.length} more lines</Text> : null}
    </Box>
  );
}

/** The whole screen of `tail`, from state alone. */
export function TailView({ state, appId, domain, width, height, now }: TailViewProps) {
  const visible = visibleEvents(state);
  const selected = selectedEvent(state);
  const headerRows = state.connection === 'failed' && state.connectionError ? 3 : 2;
  const footerRows = 2;
  const body = Math.max(3, height - headerRows - footerRows - 1);
  const detailsRows = state.details && selected ? Math.max(3, Math.floor(body * 0.6)) : 0;
  const listRows = Math.max(1, body - detailsRows);
  const selectedIndex = selected ? visible.indexOf(selected) : -1;
  const start = Math.max(0, Math.min(selectedIndex - listRows + 1 + Math.floor(state.following ? 0 : listRows / 2), visible.length - listRows));
  const rows = visible.slice(Math.max(0, start), Math.max(0, start) + listRows);
  const help = TAIL_HELP.map(([k, v]) => `${k} ${v}`).join(width < 90 ? ' ' : '  ');
  // The event type is what matters most: its column fits the longest type shown, within reason.
  const typeWidth = Math.min(Math.max(16, Math.floor(width * 0.5)), Math.max(16, ...rows.map((e) => e.eventType.length)));
  return (
    <Box flexDirection="column" width={width}>
      <Header state={state} appId={appId} domain={domain} width={width} now={now} />
      <Rule state={state} width={width} />
      <Box flexDirection="column" height={listRows}>
        {rows.length === 0 ? (
          <Text dimColor>{state.filter && state.events.length > 0 ? `no events match "${state.filter}"` : 'waiting for events…'}</Text>
        ) : (
          rows.map((e) => <Row key={e.seq} event={e} selected={selected?.seq === e.seq && (state.details || !state.following)} width={width} typeWidth={typeWidth} />)
        )}
      </Box>
      {detailsRows > 0 && selected ? <Details event={selected} width={width} height={detailsRows} /> : null}
      <Text wrap="truncate" color={state.filterInput !== undefined ? 'cyan' : 'yellow'}>
        {state.filterInput !== undefined ? `filter by type (glob or text, enter to apply, esc to cancel): ${state.filterInput}▏` : (state.message ?? ' ')}
      </Text>
      <Text dimColor wrap="truncate">
        {truncate(help, width)}
      </Text>
    </Box>
  );
}
