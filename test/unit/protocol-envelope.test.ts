import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  envelopeKind,
  eventIdOf,
  eventTypeOf,
  newEventId,
  parseOverride,
  prepareEnvelope,
  setPath,
  type EnvelopeV1,
  type EnvelopeV2,
} from '../../src/protocol/envelope.js';
import { checkChallengeResponse, buildChallenge } from '../../src/protocol/challenge.js';

const v2: EnvelopeV2 = {
  schema: '2.0',
  header: { event_id: 'old', event_type: 'corehr.department.updated_v2', create_time: '1608725989000', token: 't', app_id: 'cli_a', tenant_key: 'tk' },
  event: { department_id: '1', field_changes: ['manager'] },
};
const v1: EnvelopeV1 = { ts: '1502199207.7171419', uuid: 'old-uuid', token: 't', type: 'event_callback', event: { type: 'message', app_id: 'cli_a', tenant_key: 'tk' } };

test('tells the envelope kinds apart', () => {
  assert.equal(envelopeKind(v2), '2.0');
  assert.equal(envelopeKind(v1), '1.0');
  assert.equal(envelopeKind({ encrypt: 'x' }), 'encrypted');
  assert.equal(envelopeKind({ challenge: 'c', token: 't', type: 'url_verification' }), 'url_verification');
  assert.equal(envelopeKind([]), 'unknown');
  assert.equal(envelopeKind({ schema: '2.0' }), 'unknown');
  assert.equal(envelopeKind('x'), 'unknown');
});

test('reads type and id from both versions', () => {
  assert.equal(eventTypeOf(v2), 'corehr.department.updated_v2');
  assert.equal(eventIdOf(v2), 'old');
  assert.equal(eventTypeOf(v1), 'message');
  assert.equal(eventIdOf(v1), 'old-uuid');
  assert.equal(eventTypeOf({}), undefined);
});

test('fresh ids are 32 lowercase hex digits', () => {
  assert.match(newEventId(), /^[0-9a-f]{32}$/);
  assert.notEqual(newEventId(), newEventId());
});

test('prepareEnvelope (2.0): fresh id and time, token and ids written, input untouched', () => {
  const out = prepareEnvelope(v2, { verificationToken: 'vt', appId: 'cli_new', tenantKey: 'tn', now: 1_700_000_000_123 });
  assert.match(out.header.event_id, /^[0-9a-f]{32}$/);
  assert.equal(out.header.create_time, '1700000000123');
  assert.equal(out.header.token, 'vt');
  assert.equal(out.header.app_id, 'cli_new');
  assert.equal(out.header.tenant_key, 'tn');
  assert.equal(v2.header.event_id, 'old');
  assert.equal(v2.header.token, 't');
});

test('prepareEnvelope keeps ids when asked', () => {
  const out = prepareEnvelope(v2, { keepIds: true });
  assert.equal(out.header.event_id, 'old');
  assert.equal(out.header.create_time, '1608725989000');
});

test('prepareEnvelope (1.0): uuid, ts, top-level token, app ids inside event', () => {
  const out = prepareEnvelope(v1, { verificationToken: 'vt', appId: 'cli_new', now: 1_700_000_000_500 });
  assert.match(out.uuid, /^[0-9a-f]{32}$/);
  assert.equal(out.ts, '1700000000.500000');
  assert.equal(out.token, 'vt');
  assert.equal(out.event.app_id, 'cli_new');
  assert.equal(out.event.tenant_key, 'tk');
});

test('overrides: JSON values parsed, other text kept as a string, paths created', () => {
  assert.deepEqual(parseOverride('event.package_id=13'), { path: ['event', 'package_id'], value: 13, text: '13' });
  assert.deepEqual(parseOverride('event.candidate_info.name=李雷'), { path: ['event', 'candidate_info', 'name'], value: '李雷', text: '李雷' });
  assert.deepEqual(parseOverride('event.package_id="13"'), { path: ['event', 'package_id'], value: '13', text: '"13"' });
  assert.deepEqual(parseOverride('a=x=y'), { path: ['a'], value: 'x=y', text: 'x=y' });
  assert.throws(() => parseOverride('novalue'), SyntaxError);
  assert.throws(() => parseOverride('a..b=1'), SyntaxError);
  const out = prepareEnvelope(v2, { overrides: [parseOverride('event.data.0.opt_type=3'), parseOverride('event.field_changes=["name"]')] });
  assert.deepEqual(out.event.data, [{ opt_type: 3 }]);
  assert.deepEqual(out.event.field_changes, ['name']);
});

test('setPath refuses prototype pollution', () => {
  assert.throws(() => setPath({}, ['__proto__', 'polluted'], 1), SyntaxError);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('challenge answers are checked for status, JSON and the same value', () => {
  const c = buildChallenge('tok');
  assert.equal(c.type, 'url_verification');
  assert.equal(c.token, 'tok');
  assert.ok(c.challenge.length > 10);
  assert.deepEqual(checkChallengeResponse('abc', 200, '{"challenge":"abc"}'), { ok: true });
  assert.equal(checkChallengeResponse('abc', 500, '{"challenge":"abc"}').ok, false);
  assert.equal(checkChallengeResponse('abc', 200, 'abc').ok, false);
  assert.equal(checkChallengeResponse('abc', 200, '{"challenge":"xyz"}').ok, false);
  assert.equal(checkChallengeResponse('abc', 200, '{}').ok, false);
});

test('overrides never touch the input, however deep', () => {
  const input = { schema: '2.0' as const, header: { ...v2.header }, event: { candidate_info: { name: 'a', mobile: { code: '86' } }, list: [{ x: 1 }] } };
  const before = JSON.stringify(input);
  const out = prepareEnvelope(input, { overrides: [parseOverride('event.candidate_info.mobile.code=1'), parseOverride('event.list.0.x=2'), parseOverride('event.new.deep=3')] });
  assert.equal(JSON.stringify(input), before);
  const ev = out.event as Record<string, any>;
  assert.equal(ev.candidate_info.mobile.code, 1);
  assert.equal(ev.candidate_info.name, 'a');
  assert.deepEqual(ev.list, [{ x: 2 }]);
  assert.deepEqual(ev.new, { deep: 3 });
});
