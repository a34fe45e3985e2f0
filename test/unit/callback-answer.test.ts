// Callback answers in words, and callbacks in tail's list.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkCallbackAnswer, summarizeAnswer } from '../../src/delivery/callback-answer.js';
import { samplesDir } from '../../src/paths.js';
import { summarizeEvent } from '../../src/tail/summary.js';

const sample = (name: string): unknown => JSON.parse(readFileSync(join(samplesDir, 'card.action.trigger', `${name}.json`), 'utf8'));

describe('callback answers', () => {
  it('are summed up: toast, raw card (1.0 and 2.0), template, both, inline, the legacy new card, nothing', () => {
    assert.equal(summarizeAnswer('card.action.trigger', { toast: { type: 'success', content: 'Approved' } }), 'toast success "Approved"');
    assert.equal(summarizeAnswer('card.action.trigger', { toast: { i18n: { zh_cn: '好' } } }), 'toast info "好"');
    assert.equal(summarizeAnswer('card.action.trigger', { card: { type: 'raw', data: { schema: '2.0', body: { elements: [{}, {}] } } } }), 'card raw (2 elements)');
    assert.equal(summarizeAnswer('card.action.trigger', { card: { type: 'template', data: { template_id: 'AAqk1', template_version_name: '1.0.2' } } }), 'card template AAqk1 v1.0.2');
    assert.equal(summarizeAnswer('card.action.trigger', { toast: { type: 'info', content: 'x' }, card: { type: 'raw', data: { elements: [{}] } } }), 'toast info "x" + card raw (1 element)');
    assert.equal(summarizeAnswer('url.preview.get', { inline: { title: 'Ticket' } }), 'inline "Ticket"');
    assert.equal(summarizeAnswer('card.action.legacy', { elements: [{}, {}, {}] }), 'new card (3 elements)');
    assert.equal(summarizeAnswer('card.action.trigger', {}), 'nothing ({}: no toast, the card stays)');
  });

  it('that are not JSON objects fail at "/" with the client error reported for malformed answers', () => {
    for (const body of ['', 'ok', '"ok"', '[1]']) {
      const answer = checkCallbackAnswer('card.action.trigger', body, undefined);
      assert.equal(answer.problems[0]?.pointer, '/', body);
      assert.equal(answer.clientError?.code, 200672);
    }
    assert.deepEqual(checkCallbackAnswer('card.action.trigger', '{}', undefined).problems, []);
  });
});

describe('callbacks in the tail list', () => {
  it('stand out: ◆, the tag, what was picked, the value, the operator', () => {
    assert.equal(summarizeEvent('card.action.trigger', sample('doc')), '◆ button  {"action":"approve","request_id":"R-1024"}  by ou_3a8f1c2e…');
    assert.match(summarizeEvent('card.action.trigger', sample('select-static')), /^◆ select_static  = high  /);
    assert.match(summarizeEvent('card.action.trigger', sample('checker')), /^◆ checker  = checked  /);
  });
});
