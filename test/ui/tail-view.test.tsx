// Frame tests of tail's terminal UI at 80×24 (ink-testing-library, ANSI stripped).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from 'ink-testing-library';
import { TailView } from '../../src/ui/TailView.js';
import { TailApp } from '../../src/ui/TailApp.js';
import { initialTailState, tailReducer, type TailAction, type TailEvent, type TailState } from '../../src/tail/state.js';
import { createTailChannel } from '../../src/tail/store.js';
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
  for (const line of lines) assert.ok([...line].length <= 80, `fits 80 columns: ${line}`);
  assert.match(lines[0] as string, /feishu-events tail cli_a1b2…0718 @ 127\.0\.0\.1:7777 {2}● connected {2}up 1m15s/);
  assert.match(lines[1] as string, /received 5 {2}invalid 1 {2}duplicates 1/);
  const body = lines.join('\n');
  assert.match(body, /✓ \d\d:\d\d:\d\d hire\.eco_background_check\.created_v1.*王二/);
  assert.match(body, /corehr\.employee\.domain_event_v2 +0002aaaa +1001 新入职 {2}1 ch/);
  assert.match(body, /corehr\.department\.updated_v2 +0003aaaa +manager, name {2}dep/);
  assert.match(body, /✗ .*hire\.eco_exam\.created_v1/);
  assert.match(lines.at(-1) as string, /↑↓\/jk move enter details \/ filter p pause s save r re-deliver c clear q quit/);
});

test('duplicate mark on a repeated event_id', () => {
  const state = stateWith(sampleEvents().map((event) => ({ type: 'event', event }) as TailAction));
  const dupLines = frame(state).filter((l) => / ↻ /.test(l));
  assert.equal(dupLines.length, 1);
  assert.match(dupLines[0] as string, /corehr\.department\.updated_v2/);
});

test('details: coloured JSON of the selected event and its validation findings', () => {
  const state = stateWith([...sampleEvents().map((event) => ({ type: 'event', event }) as TailAction), { type: 'move', delta: -1 }, { type: 'toggle-details' }]);
  const body = frame(state).join('\n');
  assert.match(body, /hire\.eco_exam\.created_v1 0004aaaabbbbccccdddd/);
  assert.match(body, /✗ \/event\/candidate_info\/mobile\/code: expected string, got number 86/);
  assert.match(body, /"schema": "2\.0",/);
  assert.match(body, /"event_type": "hire\.eco_exam\.created_v1"/);
});

test('filter: only matching types are listed, and the header says so', () => {
  const state = stateWith([...sampleEvents().map((event) => ({ type: 'event', event }) as TailAction), { type: 'filter-start' }, { type: 'filter-input', text: 'corehr.*' }, { type: 'filter-commit' }]);
  const lines = frame(state);
  assert.match(lines[2] as string, /filter: corehr\.\*/);
  const rows = lines.filter((l) => /^[✓✗·] \d\d:/.test(l));
  assert.equal(rows.length, 3);
  for (const r of rows) assert.match(r, /corehr\./);
  const none = frame(stateWith([{ type: 'filter-start' }, { type: 'filter-input', text: 'nothing' }, { type: 'filter-commit' }], state));
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
  // Wait (up to 5 s) until the frame shows what the keys should have done; fails if it never does.
  const until = async (re: RegExp, line?: number): Promise<void> => {
    for (let i = 0; i < 250; i++) {
      const text = strip(lastFrame());
      if (re.test(line === undefined ? text : (text.split('\n')[line] ?? ''))) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(strip(lastFrame()), re);
  };
  const settle = () => new Promise((r) => setTimeout(r, 30));
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
  await settle();
  for (const ch of 'hire') stdin.write(ch);
  stdin.write('\r');
  await until(/filter: hire/, 2);
  stdin.write('c');
  await until(/waiting for events…/);
  stdin.write('q');
  await settle();
  assert.equal(quit, 1);
  } finally {
    unmount();
  }
});

test('keys faster than renders: the reducer, not a stale closure, decides what each key means', () => {
  const none = { ctrl: false, meta: false, upArrow: false, downArrow: false, return: false, escape: false, backspace: false, delete: false, pageUp: false, pageDown: false };
  const keys: TailAction[] = [
    { type: 'key', input: '/', key: none },
    { type: 'key', input: 'c', key: none },
    { type: 'key', input: 'o', key: none },
    { type: 'key', input: 'x', key: none },
    { type: 'key', input: '', key: { ...none, backspace: true } },
    { type: 'key', input: 'r', key: none },
    { type: 'key', input: '\r', key: { ...none, return: true } },
  ];
  const typed = stateWith([...sampleEvents().map((event) => ({ type: 'event', event }) as TailAction), ...keys]);
  assert.equal(typed.filter, 'cor', "'c' and 'r' were typed into the filter, not taken as clear or re-deliver");
  assert.equal(typed.events.length, 5);
  const cleared = stateWith([{ type: 'key', input: 'c', key: none }], typed);
  assert.equal(cleared.events.length, 0, "after the filter is applied, 'c' clears");
});
