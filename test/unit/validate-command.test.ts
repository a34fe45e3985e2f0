import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { resolveValidateOptions } from '../../src/commands/validate.js';
import type { CommandIO } from '../../src/io.js';

function io(env: Record<string, string> = {}): CommandIO {
  return { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: { XDG_CONFIG_HOME: '/nonexistent-dir-without-config', ...env }, cwd: '/nonexistent-dir-without-dotenv' };
}

describe('resolveValidateOptions', () => {
  it('applies defaults and takes the encrypt key from the flag before the environment', () => {
    const defaults = resolveValidateOptions(['x.json'], {}, io());
    assert.deepEqual(defaults, { inputs: ['x.json'], encryptKey: undefined, schemaFile: undefined, schemasDir: undefined, answerType: undefined, unknownType: 'warn', strict: false, format: 'pretty', maxEventBytes: 64 * 1024 * 1024, allowEmpty: false });
    assert.equal(resolveValidateOptions(['x.json'], {}, io({ FEISHU_ENCRYPT_KEY: 'from-env' })).encryptKey, 'from-env');
    assert.equal(resolveValidateOptions(['x.json'], { encryptKey: 'from-flag' }, io({ FEISHU_ENCRYPT_KEY: 'from-env' })).encryptKey, 'from-flag');
  });

  it('rejects what it cannot use with an exit-2 error', () => {
    for (const [inputs, flags] of [[[], {}], [['x'], { format: 'xml' }], [['x'], { unknownType: 'loud' }], [['x'], { schema: 'a', schemas: 'b' }]] as const) {
      assert.throws(() => resolveValidateOptions([...inputs], flags, io()), (error: Error & { exitCode?: number }) => error.exitCode === 2);
    }
  });
});
