// Settings resolution: flag > environment > .env > profile > default; lark-cli's names as fallbacks; the config
// directory; a brand sets the domain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { loadSettingSources, resolveSetting } from '../../src/config.js';
import { configDir, configFile, profileSettings, readProfileConfig, writeProfileConfig } from '../../src/profiles.js';
import { resolveTailOptions } from '../../src/commands/tail.js';
import type { CommandIO } from '../../src/io.js';
import { tempDir } from '../helpers/cli.js';

const APP = 'cli_a1b2c3d4e5f60718';

function io(env: Record<string, string>, cwd: string): CommandIO {
  return { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env, cwd };
}

test('the config directory: $XDG_CONFIG_HOME, else the platform\'s', () => {
  assert.equal(configDir({ XDG_CONFIG_HOME: '/x' }, 'linux', '/home/u'), join('/x', 'feishu-events'));
  assert.equal(configDir({}, 'linux', '/home/u'), join('/home/u', '.config', 'feishu-events'));
  assert.equal(configDir({}, 'darwin', '/Users/u'), join('/Users/u', 'Library', 'Application Support', 'feishu-events'));
  assert.equal(configDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u'), join('C:\\Users\\u\\AppData\\Roaming', 'feishu-events'));
});

test('a profile stands for FEISHU_* settings; its brand sets the domain unless it names one', () => {
  assert.deepEqual(profileSettings({ brand: 'lark', app_id: APP, app_secret: 's' }), { FEISHU_APP_ID: APP, FEISHU_APP_SECRET: 's', FEISHU_DOMAIN: 'lark' });
  assert.equal(profileSettings({ brand: 'lark', domain: 'http://127.0.0.1:1' }).FEISHU_DOMAIN, 'http://127.0.0.1:1');
});

test('flag > env (ours, then lark-cli\'s) > .env > profile > default', () => {
  const sources = { env: {}, dotenv: {}, profile: { FEISHU_APP_ID: 'p' } };
  assert.deepEqual(resolveSetting(undefined, 'FEISHU_APP_ID', sources, 'd'), { value: 'p', from: 'profile' });
  assert.deepEqual(resolveSetting(undefined, 'FEISHU_APP_ID', { ...sources, dotenv: { LARKSUITE_CLI_APP_ID: 'l' } }, 'd'), { value: 'l', from: 'dotenv' });
  assert.deepEqual(resolveSetting(undefined, 'FEISHU_APP_ID', { ...sources, env: { LARKSUITE_CLI_APP_ID: 'l', FEISHU_APP_ID: 'f' } }, 'd'), { value: 'f', from: 'env' });
  assert.deepEqual(resolveSetting(undefined, 'FEISHU_APP_ID', { ...sources, env: { LARKSUITE_CLI_APP_ID: 'l' }, dotenv: { FEISHU_APP_ID: 'f' } }, 'd'), { value: 'l', from: 'env' });
  assert.deepEqual(resolveSetting('x', 'FEISHU_APP_ID', { ...sources, env: { FEISHU_APP_ID: 'f' } }, 'd'), { value: 'x', from: 'flag' });
  assert.deepEqual(resolveSetting(undefined, 'FEISHU_APP_ID', { env: {}, dotenv: {} }, 'd'), { value: 'd', from: 'default' });
});

test('tail: the lark-cli environment names, and a lark profile\'s domain', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const fromLarkCli = resolveTailOptions({}, io({ XDG_CONFIG_HOME: dir, LARKSUITE_CLI_APP_ID: APP, LARKSUITE_CLI_APP_SECRET: 's', LARKSUITE_CLI_BRAND: 'lark' }, dir));
    assert.deepEqual([fromLarkCli.appId, fromLarkCli.appSecret, fromLarkCli.domain], [APP, 's', 'https://open.larksuite.com']);
    writeProfileConfig(configFile({ XDG_CONFIG_HOME: dir }), { current: 'intl', profiles: { intl: { brand: 'lark', app_id: APP, app_secret: 'p' }, cn: { brand: 'feishu', app_id: APP, app_secret: 'q' } } });
    const current = resolveTailOptions({}, io({ XDG_CONFIG_HOME: dir }, dir));
    assert.deepEqual([current.appSecret, current.domain], ['p', 'https://open.larksuite.com']);
    const named = resolveTailOptions({ profile: 'cn' }, io({ XDG_CONFIG_HOME: dir }, dir));
    assert.deepEqual([named.appSecret, named.domain], ['q', 'https://open.feishu.cn']);
    const fromEnv = resolveTailOptions({}, io({ XDG_CONFIG_HOME: dir, FEISHU_EVENTS_PROFILE: 'cn', FEISHU_DOMAIN: 'http://127.0.0.1:9' }, dir));
    assert.deepEqual([fromEnv.appSecret, fromEnv.domain], ['q', 'http://127.0.0.1:9'], 'the environment before the profile');
    await writeFile(join(dir, '.env'), 'FEISHU_EVENTS_PROFILE=cn\n');
    assert.equal(loadSettingSources({}, io({ XDG_CONFIG_HOME: dir }, dir)).profileName, 'cn', 'FEISHU_EVENTS_PROFILE in .env');
    assert.throws(() => loadSettingSources({ profile: 'nope' }, io({ XDG_CONFIG_HOME: dir }, dir)), /--profile: no profile "nope" \(there are: intl, cn\)/);
    assert.deepEqual(readProfileConfig(join(dir, 'missing', 'config.json')), { profiles: {} });
  } finally {
    await cleanup();
  }
});
