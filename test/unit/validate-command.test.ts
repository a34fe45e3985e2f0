import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { parseValidateArgv, resolveValidateOptions } from '../../src/commands/validate.js';
import type { CommandIO } from '../../src/io.js';

function io(env: Record<string, string> = {}): CommandIO {
  return { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env, cwd: '/nonexistent-dir-without-dotenv' };
}

describe('parseValidateArgv (the start-up fast path that skips commander)', () => {
  it("gives the same inputs and options as commander's action", () => {
    assert.deepEqual(parseValidateArgv(['a.ndjson', '-', '--format', 'json', '--strict', '--encrypt-key=k', '--unknown-type', 'error', '--schemas', 'dir']), {
      inputs: ['a.ndjson', '-'],
      options: { format: 'json', strict: true, encryptKey: 'k', unknownType: 'error', schemas: 'dir' },
    });
    assert.deepEqual(parseValidateArgv(['--schema', 's.json', 'x.json']), { inputs: ['x.json'], options: { schema: 's.json' } });
    assert.deepEqual(parseValidateArgv([]), { inputs: [], options: {} });
  });

  it('leaves help, unknown options and missing values to commander', () => {
    assert.equal(parseValidateArgv(['--help']), undefined);
    assert.equal(parseValidateArgv(['x.json', '-h']), undefined);
    assert.equal(parseValidateArgv(['x.json', '--colour']), undefined);
    assert.equal(parseValidateArgv(['x.json', '--format']), undefined);
  });
});

describe('resolveValidateOptions', () => {
  it('applies defaults and takes the encrypt key from the flag before the environment', () => {
    const defaults = resolveValidateOptions(['x.json'], {}, io());
    assert.deepEqual(defaults, { inputs: ['x.json'], encryptKey: undefined, schemaFile: undefined, schemasDir: undefined, unknownType: 'warn', strict: false, format: 'pretty' });
    assert.equal(resolveValidateOptions(['x.json'], {}, io({ FEISHU_ENCRYPT_KEY: 'from-env' })).encryptKey, 'from-env');
    assert.equal(resolveValidateOptions(['x.json'], { encryptKey: 'from-flag' }, io({ FEISHU_ENCRYPT_KEY: 'from-env' })).encryptKey, 'from-flag');
  });

  it('rejects what it cannot use with an exit-2 error', () => {
    for (const [inputs, flags] of [[[], {}], [['x'], { format: 'xml' }], [['x'], { unknownType: 'loud' }], [['x'], { schema: 'a', schemas: 'b' }]] as const) {
      assert.throws(() => resolveValidateOptions([...inputs], flags, io()), (error: Error & { exitCode?: number }) => error.exitCode === 2);
    }
  });
});
