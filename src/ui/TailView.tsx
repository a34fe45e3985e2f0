import { Box, Text } from 'ink';
import { maskId } from '../config.js';
import { tailLayout, type TailLayout } from '../tail/layout.js';
import { CONTINUATION_MARK, detailsVisualLines } from '../tail/details.js';
import { selectedEvent, visibleEvents, type ConnectionState, type TailEvent, type TailState } from '../tail/state.js';
import { clock, pad, shortId, textWidth, truncate, uptime } from './format.js';

export interface TailViewProps {
  state: TailState;
  appId: string;
  domain: string;
  width: number;
  height: number;
  now: number;
  /** false under NO_COLOR: no colours at all (bold, dim and inverse stay: they are not colour). */
  color?: boolean;
}

type Paint = (name: string) => { color?: string };

const STATE_COLOR: Record<ConnectionState, string> = { connecting: 'yellow', connected: 'green', reconnecting: 'yellow', failed: 'red' };

function Header({ state, appId, domain, width, now, paint }: Omit<TailViewProps, 'height' | 'color'> & { paint: Paint }) {
  const host = domain.replace(/^https?:\/\//, '');
  const types = Object.entries(state.perType)
    .sort((a, b) => b[1] - a[1])
    .map(([type, n]) => `${type.replace(/_v\d+$/, '').split('.').slice(-2).join('.')} ${n}`)
    .join(' · ');
  const counters = `received ${state.received}  invalid ${state.invalid}  duplicates ${state.duplicates}`;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>feishu-events tail</Text> {maskId(appId)} @ {host}  <Text {...paint(STATE_COLOR[state.connection])}>● {state.connection}</Text>
        <Text dimColor>  up {uptime(now - state.startedAt)}</Text>
      </Text>
      <Text wrap="truncate">
        {counters}
        <Text dimColor>{types ? `   ${truncate(types, Math.max(0, width - counters.length - 3))}` : ''}</Text>
      </Text>
      {state.connection === 'failed' && state.connectionError ? (
        <Text {...paint('red')} wrap="truncate">
          {state.connectionError}
        </Text>
      ) : null}
    </Box>
  );
}

/** The line under the header: modes that change what the list shows (pause, --filter and its drops, `/` filter). */
function Rule({ state, width, paint }: { state: TailState; width: number; paint: Paint }) {
  const tags: Array<{ text: string; color: string }> = [];
  if (!state.following) tags.push({ text: 'paused', color: 'yellow' });
  if (state.sessionFilters.length > 0) tags.push({ text: `--filter ${state.sessionFilters.join(',')}: ${state.dropped} dropped`, color: 'cyan' });
  if (state.filter) tags.push({ text: `filter: ${state.filter}`, color: 'cyan' });
  let used = 0;
  const shown = tags.map((t) => {
    const text = ` ${truncate(t.text, Math.max(0, width - used - 4))} `;
    used += 2 + textWidth(text);
    return { ...t, text };
  });
  return (
    <Text dimColor wrap="truncate">
      {shown.map((t) => (
        <Text key={t.text}>
          {'──'}
          <Text {...paint(t.color)} dimColor={false}>
            {t.text}
          </Text>
        </Text>
      ))}
      {'─'.repeat(Math.max(0, width - used))}
    </Text>
  );
}

function Row({ event, selected, width, typeWidth, layout, paint }: { event: TailEvent; selected: boolean; width: number; typeWidth: number; layout: TailLayout; paint: Paint }) {
  const mark = event.valid === false ? '✗' : event.valid === true ? '✓' : '·';
  const markColor = event.valid === false ? 'red' : event.valid === true ? 'green' : 'gray';
  const fixed = 2 + (layout.row.clock ? 9 : 0) + typeWidth + 1 + (layout.row.id ? 9 : 0) + 2;
  const forward = event.forward ? (event.forward.ok ? ` →${event.forward.status ?? ''}` : ' →✗') : '';
  const summaryWidth = Math.max(0, width - fixed - forward.length);
  return (
    <Text wrap="truncate" inverse={selected}>
      <Text {...paint(markColor)}>{mark}</Text> {layout.row.clock ? <Text dimColor>{clock(event.receivedAt)} </Text> : null}
      {pad(event.eventType, typeWidth, 'middle')} {layout.row.id ? <Text {...paint('gray')}>{shortId(event.eventId)} </Text> : null}
      {event.duplicate ? <Text {...paint('magenta')}>↻</Text> : ' '} {truncate(event.summary, summaryWidth)}
      {forward ? <Text {...paint(event.forward?.ok ? 'green' : 'red')}>{forward}</Text> : null}
    </Text>
  );
}

export { colorJsonLine } from '../tail/details.js';

/** The details pane: a title line, then findings and the envelope's JSON from `scroll` on, long lines wrapped (`↪`). */
function Details({ event, width, rows, scroll, paint }: { event: TailEvent; width: number; rows: number; scroll: number; paint: Paint }) {
  const lines = detailsVisualLines(event, width);
  const page = Math.max(1, rows - 1);
  const first = Math.max(0, Math.min(scroll, lines.length - page));
  const shown = lines.slice(first, first + page);
  const position = lines.length > page ? `  ${first + 1}–${first + shown.length} of ${lines.length}` : '';
  const answered = event.forward?.answer !== undefined ? ` → ${event.forward.answer}` : '';
  const forwarded = event.forward ? `  forwarded: ${event.forward.ok ? event.forward.status : (event.forward.error ?? 'failed')}${answered}` : '';
  return (
    <Box flexDirection="column" height={rows}>
      <Text bold wrap="truncate">
        {event.eventType} <Text dimColor>{event.eventId}{forwarded}{position}</Text>
      </Text>
      {shown.map((line, i) => (
        <Text key={first + i} wrap="truncate">
          {line.continued ? <Text dimColor>{CONTINUATION_MARK}</Text> : null}
          {line.tokens.map((t, k) => (
            <Text key={k} {...(t.color ? paint(t.color) : {})}>
              {t.text}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}

/** The whole screen of `tail`, from state alone. */
export function TailView({ state: given, appId, domain, width, height, now, color = true }: TailViewProps) {
  const state = given.screen.width === width && given.screen.height === height ? given : { ...given, screen: { width, height } };
  const paint: Paint = color ? (name) => (name ? { color: name } : {}) : () => ({});
  const visible = visibleEvents(state);
  const selected = selectedEvent(state, visible);
  const layout = tailLayout(state, selected !== undefined);
  const { listRows } = layout;
  const selectedIndex = selected ? visible.indexOf(selected) : -1;
  // Following: the newest at the bottom. Otherwise keep the selected row in view, centred when possible.
  const start = state.following ? Math.max(0, visible.length - listRows) : Math.max(0, Math.min(selectedIndex - Math.floor(listRows / 2), visible.length - listRows));
  const rows = visible.slice(start, start + listRows);
  // The event type is what matters most, but the summary needs room too: long types are cut in the middle.
  const cap = Math.max(16, Math.min(Math.floor(width * 0.36), 40));
  const typeWidth = Math.min(cap, Math.max(12, ...rows.map((e) => textWidth(e.eventType))));
  const highlight = (e: TailEvent): boolean => selected?.seq === e.seq && (state.details || !state.following);
  const messageColor = state.filterInput !== undefined ? 'cyan' : 'yellow';
  return (
    <Box flexDirection="column" width={width}>
      <Header state={state} appId={appId} domain={domain} width={width} now={now} paint={paint} />
      <Rule state={state} width={width} paint={paint} />
      <Box flexDirection="column" height={listRows}>
        {rows.length === 0 ? (
          <Text dimColor>{state.filter && state.events.length > 0 ? `no events match "${state.filter}"` : 'waiting for events…'}</Text>
        ) : (
          rows.map((e) => <Row key={e.seq} event={e} selected={highlight(e)} width={width} typeWidth={typeWidth} layout={layout} paint={paint} />)
        )}
      </Box>
      {layout.detailsRows > 0 && selected ? <Details event={selected} width={width} rows={layout.detailsRows} scroll={state.detailsScroll} paint={paint} /> : null}
      {layout.messageLines.map((line, i) => (
        <Text key={`m${i}`} wrap="truncate" {...paint(messageColor)}>
          {line || ' '}
        </Text>
      ))}
      {layout.helpLines.map((line, i) => (
        <Text key={`h${i}`} dimColor wrap="truncate">
          {line}
        </Text>
      ))}
    </Box>
  );
}
