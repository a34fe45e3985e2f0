// Frame tests of tail's terminal UI at 80×24 (ink-testing-library, ANSI stripped).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { TailView } from '../../src/ui/TailView.js';
import { TailApp } from '../../src/ui/TailApp.js';
import { initialTailState, selectedEvent, tailReducer, visibleEvents, type TailAction, type TailEvent, type TailState } from '../../src/tail/state.js';
import { createTailChannel } from '../../src/tail/channel.js';
import type { KeyName } from '../../src/tail/keys.js';
import { summarizeEvent } from '../../src/tail/summary.js';

const APP = 'cli_a1b2c3d4e5f60718';
const DOMAIN = 'http://127.0.0.1:7777';
const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);

const strip = (text: string | undefined): string => (text ?? '').replace(/\u001b\[[0-9;]*m/g, '');

function makeEvent(seq: number, eventType: string, event: Record<string, unknown>, extra: Partial<TailEvent> = {}): TailEvent {
  const envelope = { schema: '2.0', header: { event_id: `${String(seq).padStart(4, '0')}aaaabbbbccccdddd`, event_type: eventType, create_time: String(T0), token: '', app_id: APP, tenant_key: 't' }, event };
  return {
    seq,
    receivedAt: T0 + seq * 1000,
    eventType,
    eventId: envelope.header.event_id,
    summary: summarizeEvent(eventType, envelope),
    valid: true,
    findings: [],
    duplicate: false,
    envelope,
    ...extra,
  };
}

const sampleEvents = (): TailEvent[] => [
  makeEvent(1, 'hire.eco_background_check.created_v1', { background_check_id: '6931286400470354183', candidate_info: { name: '王二' }, package_id: '12' }),
  makeEvent(2, 'corehr.employee.domain_event_v2', { employment_id: '7324965529786844716', event_type: 1, sub_event_type: 1001, data: [{}] }),
  makeEvent(3, 'corehr.department.updated_v2', { department_id: '7043711774159341101', field_changes: ['manager', 'name'] }),
  makeEvent(4, 'hire.eco_exam.created_v1', { exam_id: 'x', candidate_info: { mobile: { code: 86 } } }, { valid: false, findings: ['/event/candidate_info/mobile/code: expected string, got number 86'] }),
  makeEvent(5, 'corehr.department.updated_v2', { department_id: '7043711774159341101', field_changes: ['manager', 'name'] }, { duplicate: true, eventId: '0003aaaabbbbccccdddd' }),
];

/** A key action: text typed (several keys when longer than one character), or a named key. */
function key(input: string, name?: KeyName): TailAction {
  return { type: 'key', key: { input, ...(name ? { name } : {}) } };
}

function stateWith(actions: TailAction[], base: TailState = initialTailState({ now: T0 })): TailState {
  return actions.reduce(tailReducer, base);
}

function frame(state: TailState, width = 80, height = 24): string[] {
  const { lastFrame, unmount } = render(<TailView state={state} appId={APP} domain={DOMAIN} width={width} height={height} now={T0 + 75_000} />);
  const lines = strip(lastFrame()).split('\n');
  unmount();
  return lines;
}

test('list: header with masked app id, state, uptime and counters; one row per event with its summary', () => {
  const state = stateWith([{ type: 'connection', state: 'connected' }, ...sampleEvents().map((event) => ({ type: 'event', event }) as TailAction)]);
  const lines = frame(state);
  assert.ok(lines.length <= 24, `fits 24 rows (${lines.length})`);
  for (const line of lines) assert.ok(stringWidth(line) <= 80, `fits 80 columns: ${line}`);
  assert.match(lines[0] as string, /feishu-events tail cli_a1b2…0718 @ 127\.0\.0\.1:7777 {2}● connected {2}up 1m15s/);
  assert.match(lines[1] as string, /received 5 {2}invalid 1 {2}duplicates 1/);
  const body = lines.join('\n');
  // At 80 columns a long type is cut in the middle, so that both its ends and the summary stay readable.
  assert.match(body, /✓ \d\d:\d\d:\d\d hire\.eco_backg…ck\.created_v1 +王二  package 12  check 69312864/);
  assert.match(body, /corehr\.employe…main_event_v2 +1001 新入职 {2}1 change {2}employment 732/);
  assert.match(body, /corehr\.department\.updated_v2 +manager, name {2}department 7043711/);
  assert.match(body, /✗ .*hire\.eco_exam\.created_v1/);
  assert.match(lines.at(-1) as string, /^↑↓jk move gG ends enter details \/ filter p pause s save r resend c clear q quit$/);
  const wide = frame(state, 100, 30);
  assert.match(wide.at(-1) as string, /↑↓\/jk move {2}g\/G top\/end {2}enter details {2}\/ filter {2}p pause {2}s save {2}r re-deliver {2}c clear {2}q quit/);
  assert.match(wide.join('\n'), /hire\.eco_background_check\.created_v1 +\S{8} +王二/, 'at 100 columns the whole type and the short id');
});

test('duplicate mark on a repeated event_id', () => {
  const state = stateWith(sampleEvents().map((event) => ({ type: 'event', event }) as TailAction));
  const dupLines = frame(state).filter((l) => / ↻ /.test(l));
  assert.equal(dupLines.length, 1);
  assert.match(dupLines[0] as string, /corehr\.department\.updated_v2/);
});

test('details: coloured JSON of the selected event and its validation findings', () => {
  const state = stateWith([...sampleEvents().map((event) => ({ type: 'event', event }) as TailAction), key('k'), key('', 'return')]);
  const body = frame(state).join('\n');
  assert.match(body, /hire\.eco_exam\.created_v1 0004aaaabbbbccccdddd/);
  assert.match(body, /✗ \/event\/candidate_info\/mobile\/code: expected string, got number 86/);
  assert.match(body, /"schema": "2\.0",/);
  assert.match(body, /"event_type": "hire\.eco_exam\.created_v1"/);
});

test('filter: only matching types are listed, and the header says so', () => {
  const state = stateWith([...sampleEvents().map((event) => ({ type: 'event', event }) as TailAction), key('/'), key('corehr.*'), key('', 'return')]);
  const lines = frame(state);
  assert.match(lines[2] as string, /filter: corehr\.\*/);
  const rows = lines.filter((l) => /^[✓✗·] \d\d:/.test(l));
  assert.equal(rows.length, 3);
  for (const r of rows) assert.match(r, /corehr\./);
  const none = frame(stateWith([key('/'), key('\x7f'.repeat(8)), key('nothing\r')], state));
  assert.ok(none.some((l) => /no events match "nothing"/.test(l)));
});

test('each connection state is shown, a failure with its reason', () => {
  for (const s of ['connecting', 'connected', 'reconnecting'] as const) {
    assert.match(frame(stateWith([{ type: 'connection', state: s }]))[0] as string, new RegExp(`● ${s}`));
  }
  const failed = frame(stateWith([{ type: 'connection', state: 'failed', error: 'pullConnectConfig failed: code=514, msg=auth failed' }]));
  assert.match(failed[0] as string, /● failed/);
  assert.match(failed[1 + 1] as string, /code=514/);
  assert.ok(frame(initialTailState({ now: T0 })).some((l) => /waiting for events…/.test(l)));
});

test('memory stays bounded: only the newest events are kept', () => {
  let state = initialTailState({ now: T0, capacity: 100 });
  for (let i = 1; i <= 1000; i++) state = tailReducer(state, { type: 'event', event: makeEvent(i, 'corehr.department.updated_v2', { department_id: String(i) }) });
  assert.equal(state.events.length, 100);
  assert.equal(state.events[0]?.seq, 901);
  assert.equal(state.received, 1000);
  assert.equal(state.perType['corehr.department.updated_v2'], 1000);
});

test('keys: arrows move and pause following, enter opens details, / filters, s saves, r re-delivers, q quits', async () => {
  const channel = createTailChannel();
  const saved: TailEvent[] = [];
  const redelivered: TailEvent[] = [];
  let quit = 0;
  const { lastFrame, stdin, unmount } = render(
    <TailApp
      appId={APP}
      domain={DOMAIN}
      channel={channel}
      width={80}
      height={24}
      now={() => T0 + 5000}
      onSave={async (e) => {
        saved.push(e);
        return `saved ${e.eventId}`;
      }}
      onRedeliver={async (e) => {
        redelivered.push(e);
        return `re-delivered ${e.eventId}`;
      }}
      onQuit={() => quit++}
    />,
  );
  // Wait (30 s at most, for a busy machine) until the frame shows what the keys should have done; fails if it never does.
  const until = async (re: RegExp, line?: number): Promise<void> => {
    for (let i = 0; i < 1500; i++) {
      const text = strip(lastFrame());
      if (re.test(line === undefined ? text : (text.split('\n')[line] ?? ''))) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(strip(lastFrame()), re);
  };
  try {
  for (const event of sampleEvents()) channel.send({ type: 'event', event });
  channel.send({ type: 'connection', state: 'connected' });
  await until(/received 5/);
  stdin.write('k'); // up: select the 4th event, pause following
  await until(/paused/, 2);
  stdin.write('\r');
  await until(/expected string, got number 86/);
  stdin.write('s');
  await until(/saved 0004aaaabbbbccccdddd/);
  assert.equal(saved[0]?.seq, 4);
  stdin.write('r');
  await until(/re-delivered 0004aaaabbbbccccdddd/);
  assert.equal(redelivered[0]?.seq, 4);
  stdin.write('/');
  await until(/filter by type/);
  for (const ch of 'hire') stdin.write(ch);
  stdin.write('\r');
  await until(/filter: hire/, 2);
  stdin.write('c');
  await until(/waiting for events…/);
  stdin.write('q');
  for (let i = 0; i < 1500 && quit === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(quit, 1);
  } finally {
    unmount();
  }
});

test('keys faster than renders: the reducer, not a stale closure, decides what each key means', () => {
  const keys: TailAction[] = [key('/'), key('c'), key('o'), key('x'), key('', 'backspace'), key('r'), key('', 'return')];
  const typed = stateWith([...sampleEvents().map((event) => ({ type: 'event', event }) as TailAction), ...keys]);
  assert.equal(typed.filter, 'cor', "'c' and 'r' were typed into the filter, not taken as clear or re-deliver");
  assert.equal(typed.events.length, 5);
  const cleared = stateWith([key('c')], typed);
  assert.equal(cleared.events.length, 0, "after the filter is applied, 'c' clears");
});

const JSON_EVENT = (seq: number): TailEvent =>
  makeEvent(seq, 'im.message.receive_v1', {
    sender: { sender_id: { open_id: 'ou_3aea70e320b255bc2324338c01b9894c' }, sender_type: 'user' },
    message: { message_id: 'om_1', chat_id: 'oc_3e69c2071abac1861fa857846315d95a', chat_type: 'group', message_type: 'text', content: '{"text":"@_user_1 你好"}', mentions: [{ key: '@_user_1', name: '王五' }], deep: { a: { b: { c: { d: 'the last line of the body' } } } } },
  });

test('details pane scrolls through the whole event body; esc closes it', () => {
  const opened = stateWith([JSON_EVENT(1), JSON_EVENT(2)].map((event) => ({ type: 'event', event }) as TailAction).concat([key('', 'return')]));
  const first = frame(opened).join('\n');
  assert.match(first, /im\.message\.receive_v1 0002aaaabbbbccccdddd {2}1–\d+ of \d+/, 'the title says which lines are shown');
  assert.doesNotMatch(first, /the last line of the body/);
  const end = stateWith([key('G')], opened);
  assert.match(frame(end).join('\n'), /"d": "the last line of the body"/, 'G shows the end of the event body');
  const paged = stateWith([key(' ')], opened);
  assert.ok(paged.detailsScroll > 1, 'space pages down');
  const up = stateWith([key('k')], end);
  assert.equal(up.detailsScroll, end.detailsScroll - 1, 'k scrolls up a line from the end');
  const closed = stateWith([key('', 'escape')], end);
  assert.equal(closed.details, false);
  assert.doesNotMatch(frame(closed).join('\n'), /"schema": "2\.0"/);
});

test('keys that arrive in one chunk each count: typed text, two backspaces, enter', () => {
  const events = sampleEvents().map((event) => ({ type: 'event', event }) as TailAction);
  const typed = stateWith([...events, key('/'), key('exam'), key('\x7f\x7f')]);
  assert.equal(typed.filterInput, 'ex', 'two DEL bytes sent together are two backspaces');
  const applied = stateWith([key('\r')], typed);
  assert.equal(applied.filter, 'ex');
  assert.equal(visibleEvents(applied).length, 1);
  const moved = stateWith([key('kkk')], stateWith(events));
  assert.equal(selectedEvent(moved)?.seq, 2, "'kkk' moves up three rows");
});

test('--filter from the command line is shown with the number of events it dropped', () => {
  const state = stateWith([{ type: 'batch', actions: [{ type: 'dropped', count: 1 }, { type: 'dropped', count: 1 }, { type: 'dropped', count: 1 }] }], initialTailState({ now: T0, filters: ['hire.*'] }));
  assert.match(frame(state)[2] as string, /--filter hire\.\*: 3 dropped/);
});

test('a batch of events is one state change with every event counted, in order', () => {
  const batch: TailAction = { type: 'batch', actions: [...sampleEvents().map((event) => ({ type: 'event', event }) as TailAction), { type: 'connection', state: 'connected' }] };
  const state = stateWith([batch]);
  assert.deepEqual(state.events.map((e) => e.seq), [1, 2, 3, 4, 5]);
  assert.equal(state.invalid, 1);
  assert.equal(state.duplicates, 1);
  assert.equal(state.connection, 'connected');
});

test('the one-connection warning is shown whole at 80×24 and 100×30, and im.message.receive_v1 rows say what was said', () => {
  const warning = 'warning: the platform gives each event to only one connected client: while tail is connected, an app running with the same credentials misses what tail receives';
  for (const [width, height] of [[80, 24], [100, 30]] as const) {
    const state = stateWith([{ type: 'message', text: warning }, { type: 'event', event: JSON_EVENT(1) }]);
    const lines = frame(state, width, height);
    assert.ok(lines.length <= height, `fits ${height} rows`);
    for (const line of lines) assert.ok(stringWidth(line) <= width, `fits ${width} columns: ${line}`);
    const text = lines.join(' ').replace(/\s+/g, ' ');
    assert.ok(text.includes(warning), `the whole warning at ${width}×${height}`);
    assert.match(lines.join('\n'), width === 100 ? /im\.message\.receive_v1 +\S{8} +text {2}"@王五 你好" {2}group oc_3e69c207… {2}from ou_3aea70e/ : /im\.message\.receive_v1 +text {2}"@王五 你好" {2}group oc_3e69c207…/);
  }
});

test('cell widths: an emoji with a skin tone and a ZWJ family are two cells each', async () => {
  const { textWidth, truncate, pad } = await import('../../src/ui/format.js');
  assert.equal(textWidth('👍🏽'), 2);
  assert.equal(textWidth('👨‍👩‍👧'), 2);
  assert.equal(textWidth('王二'), 4);
  assert.equal(textWidth(pad('👍🏽 ok', 8)), 8);
  assert.equal(truncate('👨‍👩‍👧👨‍👩‍👧👨‍👩‍👧', 5), '👨‍👩‍👧👨‍👩‍👧…');
});

test('details pane: a long line wraps (↪ on each continuation), cut by cells, and scrolling goes by the lines on the screen', async () => {
  const { detailsVisualLines } = await import('../../src/tail/details.js');
  const long = `${'王二 👍🏽 '.repeat(30)}the end of the line`;
  const event = makeEvent(1, 'im.message.receive_v1', { text: long, after: 'last' });
  const opened = stateWith([{ type: 'event', event }, key('', 'return')]);
  const lines = frame(opened);
  for (const line of lines) assert.ok(stringWidth(line) <= 80, `fits 80 columns: ${line}`);
  const visual = detailsVisualLines(event, 80);
  const continued = visual.filter((l) => l.continued);
  assert.ok(continued.length >= 2, 'the long line takes several lines on the screen');
  const textLine = visual.findIndex((l) => l.tokens.some((t) => t.text.includes('"text"')));
  const joined = visual
    .slice(textLine, textLine + 1 + continued.length)
    .map((l) => l.tokens.map((t) => t.text).join(''))
    .join('');
  assert.equal(joined, `    "text": ${JSON.stringify(long)},`, 'nothing is lost where a line is cut, not even half an emoji');
  for (const l of visual) assert.ok(stringWidth(l.tokens.map((t) => t.text).join('')) <= (l.continued ? 78 : 80));
  assert.match(lines.join('\n'), /of \d+/);
  const total = Number(/of (\d+)/.exec(lines.join('\n'))?.[1]);
  assert.equal(total, visual.length, 'the title counts lines on the screen');
  // G goes to the last line on the screen; the wrapped string shows its end on a continuation line.
  const end = stateWith([key('G')], opened);
  const endFrame = frame(end).join('\n');
  assert.match(endFrame, /"after": "last"/);
  assert.match(endFrame, /↪ .*the end of the line",/);
  const page = Number(/1–(\d+) of/.exec(lines.join('\n'))?.[1]);
  assert.equal(end.detailsScroll, visual.length - page, 'the last page ends on the last line on the screen');
});

test('an event that carries everything in `object` (contact.user.created_v3) is summarised from it, its name first', () => {
  const summary = summarizeEvent('contact.user.created_v3', { schema: '2.0', header: {}, event: { object: { open_id: 'ou_1', union_id: 'on_1', user_id: 'u1', name: '张三', department_ids: ['d'] } } });
  assert.equal(summary, 'name=张三 open_id=ou_1 union_id=on_1');
  assert.equal(summarizeEvent('x.y.z_v1', { event: { id: 'a', object: { name: 'n' } } }), 'id=a', 'scalars of the event itself come first');
});

test('frames: an event after a quiet spell is drawn at once; events that follow within the frame interval wait for the next frame', async () => {
  const channel = createTailChannel();
  const events = sampleEvents();
  const { lastFrame, stdin, unmount } = render(
    // A frame interval no test outlasts: only the leading frame can draw.
    <TailApp appId={APP} domain={DOMAIN} channel={channel} width={80} height={24} now={() => T0 + 5000} frameMs={600_000} onSave={async () => ''} onRedeliver={async () => ''} onQuit={() => {}} />,
  );
  const until = async (re: RegExp): Promise<void> => {
    for (let i = 0; i < 1500 && !re.test(strip(lastFrame())); i++) await new Promise((r) => setTimeout(r, 20));
    assert.match(strip(lastFrame()), re);
  };
  try {
    channel.send({ type: 'event', event: events[0] as TailEvent });
    await until(/received 1 /);
    channel.send({ type: 'event', event: events[1] as TailEvent });
    // A key redraws at once, from the state as it is: the second event is still waiting for its frame.
    stdin.write('p');
    await until(/paused/);
    assert.match(strip(lastFrame()), /received 1 /);
  } finally {
    unmount();
  }
});
