import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arrayElementOffsets, findPointer, pointerSegments, SourceLocator } from '../../src/validate/locate.js';

/** Line and column of the first occurrence of `needle` (+ offset), counted independently of the locator. */
function positionOf(text: string, needle: string, offset = 0): { line: number; column: number } {
  const at = text.indexOf(needle);
  assert.notEqual(at, -1, `${needle} is in the text`);
  const before = text.slice(0, at + offset);
  return { line: before.split('\n').length, column: at + offset - before.lastIndexOf('\n') };
}

describe('pointerSegments', () => {
  it('unescapes ~1 and ~0', () => {
    assert.deepEqual(pointerSegments(''), []);
    assert.deepEqual(pointerSegments('/a~1b/c~0d/0'), ['a/b', 'c~d', '0']);
  });
});

describe('findPointer', () => {
  const text = '{"a": {"b": [10, {"c": "x"}, [1, 2]]}, "s\\"q": 1, "u\\u0041": 2, "a/b": 3, "t~n": 4}';

  it('finds values inside objects and arrays', () => {
    assert.equal(text.slice(findPointer(text, 0, ['a', 'b', '1', 'c']).offset).slice(0, 3), '"x"');
    assert.equal(text.slice(findPointer(text, 0, ['a', 'b', '2', '1']).offset).slice(0, 1), '2');
    assert.equal(text.slice(findPointer(text, 0, ['a', 'b', '0']).offset).slice(0, 2), '10');
  });

  it('compares keys after unescaping them', () => {
    assert.equal(text.slice(findPointer(text, 0, ['s"q']).offset, findPointer(text, 0, ['s"q']).offset + 1), '1');
    assert.equal(text[findPointer(text, 0, ['uA']).offset], '2');
    assert.equal(text[findPointer(text, 0, pointerSegments('/a~1b')).offset], '3');
    assert.equal(text[findPointer(text, 0, pointerSegments('/t~0n')).offset], '4');
  });

  it('points at the key when asked', () => {
    const spot = findPointer(text, 0, ['a', 'b', '1', 'c'], true);
    assert.equal(text.slice(spot.offset, spot.offset + 3), '"c"');
  });

  it('takes the last of duplicate keys, as JSON.parse does', () => {
    const dup = '{"k": 1, "k": 2}';
    assert.equal(dup[findPointer(dup, 0, ['k']).offset], '2');
  });

  it('says when the pointer leads nowhere, and stops at the deepest point found', () => {
    const spot = findPointer(text, 0, ['a', 'missing']);
    assert.equal(spot.found, false);
    assert.equal(text[spot.offset], '{');
    assert.equal(findPointer(text, 0, ['a', 'b', '9']).found, false);
  });

  it('skips strings containing brackets, braces and escaped quotes', () => {
    const tricky = '{"x": "}]\\"{[", "y": [" ] ", {"z": "\\\\"}], "w": true}';
    assert.equal(tricky.slice(findPointer(tricky, 0, ['w']).offset, findPointer(tricky, 0, ['w']).offset + 4), 'true');
    assert.equal(tricky.slice(findPointer(tricky, 0, ['y', '1', 'z']).offset).slice(0, 4), '"\\\\"');
  });
});

describe('arrayElementOffsets', () => {
  it('indexes the top-level elements of a document', () => {
    const doc = ' [ {"a": [1, 2]}, "s,]", 3 ]';
    const offsets = arrayElementOffsets(doc, 0);
    assert.deepEqual(offsets.map((o) => doc[o]), ['{', '"', '3']);
    assert.deepEqual(arrayElementOffsets('[]', 0), []);
  });
});

describe('SourceLocator', () => {
  it('turns a pointer into the line and column of a pretty-printed document, offset by the record line', () => {
    const text = '[\n  {"schema": "2.0"},\n  {\n    "header": {\n      "app_id": 12345\n    }\n  }\n]\n';
    const locator = new SourceLocator();
    const at = positionOf(text, '12345');
    assert.deepEqual(locator.locate({ line: 1, text, pointer: '/1' }, '/header/app_id'), at);
    assert.deepEqual(locator.locate({ line: 10, text, pointer: '/1' }, '/header/app_id'), { line: at.line + 9, column: at.column });
    assert.deepEqual(locator.locate({ line: 1, text, pointer: '/1' }, '/header/app_id', true), positionOf(text, '"app_id"'));
    assert.deepEqual(locator.eventPosition({ line: 1, text, pointer: '/1' }), { line: 3, column: 3 });
  });

  it('gives the same answers for large documents (indexed once) as for small ones', () => {
    const element = (i: number): string => `  {"header": {"event_id": "e${i}", "n": ${i}}, "pad": "${'中'.repeat(50)}"}`;
    const count = 2000;
    const text = `[\n${Array.from({ length: count }, (_, i) => element(i)).join(',\n')}\n]\n`;
    assert.ok(text.length > 64 * 1024, 'large enough to take the indexed path');
    const locator = new SourceLocator();
    for (const i of [0, 1, 999, 1999]) {
      assert.deepEqual(locator.locate({ line: 1, text, pointer: `/${i}` }, '/header/n'), positionOf(text, `"n": ${i}}`, 5));
    }
  });
});
