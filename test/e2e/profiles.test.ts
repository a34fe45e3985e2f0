// Profiles (profile add|list|use|remove, --profile, FEISHU_EVENTS_PROFILE), --color, and errors as JSON in --json
// mode, through the CLI's entry point (the built bin where a colour, a TTY check or a long-running process is the point). Every run gets its own config directory (XDG_CONFIG_HOME).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, startCli, tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { startRecordingServer } from '../helpers/servers.js';
import { startGatewayProcess, waitUntil, type Json } from '../helpers/gateway.js';
import { decrypt } from '../../src/protocol/crypto.js';

/** Where the deadline is not the point: room for a busy machine (replay runs in this process, beside the apps). */
const ROOM = ['--timeout', '20000'];

const APP = 'cli_a1b2c3d4e5f60718';
const SECRET = 'profile-secret-Qx81';
const KEY = 'profile-encrypt-key-Lm42';
const TOKEN = 'profile-token-Vb07';
const SECRETS = [SECRET, KEY, TOKEN];
/** No FEISHU_ / LARKSUITE_CLI_ settings from the machine running the tests. */
const CLEAN = { FEISHU_APP_ID: undefined, FEISHU_APP_SECRET: undefined, FEISHU_ENCRYPT_KEY: undefined, FEISHU_VERIFICATION_TOKEN: undefined, FEISHU_DOMAIN: undefined, FEISHU_EVENTS_PROFILE: undefined, LARKSUITE_CLI_APP_ID: undefined, LARKSUITE_CLI_APP_SECRET: undefined, LARKSUITE_CLI_BRAND: undefined };

function noSecrets(text: string, what: string): void {
  for (const secret of SECRETS) assert.equal(text.includes(secret), false, `${what} printed a secret`);
}

describe('profiles, --color, --json errors', { concurrency: true }, () => {
  test('profile add, list, use, remove: stored 0600 in $XDG_CONFIG_HOME/feishu-events, secrets never printed', async () => {
    const { dir, cleanup } = await tempDir();
    const env = { ...CLEAN, XDG_CONFIG_HOME: dir };
    const cli = async (args: string[], input?: string) => {
      const r = await runInProcess(args, { env, ...(input !== undefined ? { input } : {}) });
      noSecrets(r.stdout + r.stderr, args.join(' '));
      return r;
    };
    try {
      const empty = await cli(['profile', 'list']);
      assert.equal(empty.code, 0);
      assert.match(empty.stderr, /no profiles yet/);
      const added = await cli(['profile', 'add', 'test', '--app-id', APP, '--app-secret', '-', '--encrypt-key', KEY], `${SECRET}\n`);
      assert.equal(added.code, 0, added.stderr);
      assert.match(added.stdout, /^added profile test \(feishu, cli_a1b2c3d4e5f60718\), the default now\n$/);
      assert.equal((await cli(['profile', 'add', 'global', '--brand', 'lark', '--app-id', 'cli_0000000000000001', '--verification-token', TOKEN])).code, 0);
      const file = join(dir, 'feishu-events', 'config.json');
      assert.equal((await stat(file)).mode & 0o777, 0o600, 'the config file is readable by its owner only');
      const stored = JSON.parse(await readFile(file, 'utf8')) as { current: string; profiles: Record<string, Json> };
      assert.equal(stored.current, 'test');
      assert.deepEqual(stored.profiles.test, { app_id: APP, app_secret: SECRET, encrypt_key: KEY }, 'the secret from stdin, without its newline');

      const listed = await cli(['profile', 'list']);
      assert.match(listed.stdout, /^\* +test +- +feishu +cli_a1b2c3d4e5f60718 +app secret: set, encrypt key: set, verification token: -$/m);
      assert.match(listed.stdout, /^ +global +lark +lark +cli_0000000000000001 +app secret: -, encrypt key: -, verification token: set$/m);
      const json = (await cli(['profile', 'list', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Json);
      assert.deepEqual(json.map((p) => [p.name, p.current, p.app_secret_set, p.verification_token_set]), [['global', false, false, true], ['test', true, true, false]]);

      assert.match((await cli(['profile', 'use', 'global'])).stdout, /using profile global/);
      assert.match((await cli(['profile', 'list'])).stdout, /^\* +global/m);
      const removed = await cli(['profile', 'remove', 'global']);
      assert.match(removed.stdout, /removed profile global; no default profile now/);
      assert.equal((await stat(file)).mode & 0o777, 0o600, 'still 0600 after a rewrite');

      for (const [args, message] of [
        [['profile', 'use', 'nope'], /no profile "nope" \(there are: test\)/],
        [['profile', 'add', 'bad name'], /profile name "bad name"/],
        [['profile', 'add', 'x', '--app-id', 'not-an-id'], /"not-an-id" is not an app id/],
        [['profile', 'add', 'x', '--brand', 'slack'], /--brand must be one of feishu, lark/],
        [['profile', 'add', 'x'], /nothing to store/],
        [['profile', 'frobnicate'], /unknown profile action "frobnicate"/],
        [['validate', 'events.json', '--profile', 'nope'], /--profile: no profile "nope"/],
      ] as Array<[string[], RegExp]>) {
        const r = await cli(args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, message);
      }
      await writeFile(file, '{ not json');
      const broken = await cli(['profile', 'list']);
      assert.equal(broken.code, 2);
      assert.match(broken.stderr, /config\.json: not JSON/);
    } finally {
      await cleanup();
    }
  });

  test('replay --profile: the Encrypt Key, Verification Token and app id come from the profile; flag, env and .env come first', async () => {
    const { dir, cleanup } = await tempDir();
    const server = await startRecordingServer(() => ({ status: 200, body: '{}' }));
    const env = { ...CLEAN, XDG_CONFIG_HOME: dir };
    try {
      await runInProcess(['profile', 'add', 'app', '--app-id', APP, '--encrypt-key', KEY, '--verification-token', TOKEN], { env });
      await runInProcess(['profile', 'add', 'other', '--app-id', 'cli_0000000000000002'], { env });
      const replay = (args: string[], extra: Record<string, string> = {}, cwd?: string) =>
        runInProcess(['replay', 'hire.eco_exam.created_v1', '--to', server.url, '--no-control', '--json', ...args, ...ROOM], { env: { ...env, ...extra }, ...(cwd ? { cwd } : {}) });
      const last = (): Json => {
        const body = JSON.parse(server.received.at(-1)?.body ?? '{}') as { encrypt?: string };
        return JSON.parse(body.encrypt ? decrypt(body.encrypt, KEY) : JSON.stringify(body)) as Json;
      };
      // `app` is the default (added first); --profile and FEISHU_EVENTS_PROFILE pick another.
      let r = await replay([]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.ok(JSON.parse(server.received.at(-1)?.body ?? '{}').encrypt, 'encrypted with the profile key');
      assert.deepEqual([(last().header as Json).token, (last().header as Json).app_id], [TOKEN, APP]);
      r = await replay(['--profile', 'other']);
      assert.equal(r.code, 0);
      assert.equal(JSON.parse(server.received.at(-1)?.body ?? '{}').encrypt, undefined, 'the other profile has no key');
      assert.equal((last().header as Json).app_id, 'cli_0000000000000002');
      r = await replay([], { FEISHU_EVENTS_PROFILE: 'other' });
      assert.equal((last().header as Json).app_id, 'cli_0000000000000002', 'FEISHU_EVENTS_PROFILE');
      // flag > env > .env > profile
      const work = join(dir, 'work');
      await mkdir(work);
      await writeFile(join(work, '.env'), 'FEISHU_VERIFICATION_TOKEN=from-dotenv\n');
      await replay([], {}, work);
      assert.equal((last().header as Json).token, 'from-dotenv', '.env before the profile');
      await replay([], { FEISHU_VERIFICATION_TOKEN: 'from-env' }, work);
      assert.equal((last().header as Json).token, 'from-env', 'env before .env');
      await replay(['--verification-token', 'from-flag'], { FEISHU_VERIFICATION_TOKEN: 'from-env' }, work);
      assert.equal((last().header as Json).token, 'from-flag', 'the flag first');
    } finally {
      await server.close();
      await cleanup();
    }
  });

  test('gateway and tail --profile: the gateway accepts only the profile app; tail connects with it, a wrong secret is refused', async () => {
    const { dir, cleanup } = await tempDir();
    const env = { ...CLEAN, XDG_CONFIG_HOME: dir };
    await runInProcess(['profile', 'add', 'app', '--app-id', APP, '--app-secret', SECRET], { env });
    await runInProcess(['profile', 'add', 'wrong', '--app-id', APP, '--app-secret', 'not-the-secret'], { env });
    const gateway = await startGatewayProcess(['--profile', 'app'], { env: { XDG_CONFIG_HOME: dir } });
    try {
      const tail = startCli(['tail', '--profile', 'app', '--domain', gateway.domain, '--json'], { env });
      const replay = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--gateway', gateway.domain, '--wait-client', '60000', '--timeout', '20000'], { env });
      assert.equal(replay.code, 0, replay.stdout + replay.stderr);
      await waitUntil(() => tail.stdout().endsWith('\n'), 'the event on tail\'s stdout');
      tail.kill('SIGINT');
      const tailed = await tail.done;
      assert.equal(tailed.code, 0, tailed.stderr);
      assert.equal(((JSON.parse(tailed.stdout.trim()) as Json).header as Json).event_type, 'hire.eco_exam.created_v1');
      noSecrets(tailed.stdout + tailed.stderr, 'tail');
      const refused = await runCli(['tail', '--profile', 'wrong', '--domain', gateway.domain, '--json'], { env, timeoutMs: 30_000 });
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /the app id or app secret was rejected \(code 514/);
      assert.equal(refused.stderr.includes('not-the-secret'), false);
    } finally {
      await gateway.stop();
      await cleanup();
    }
    noSecrets(gateway.stdout() + gateway.stderr(), 'gateway');
  });

  test('--color always|never on every command, FORCE_COLOR; a bad value is a usage error', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const bad = join(dir, 'bad.json');
      await writeFile(bad, JSON.stringify({ schema: '2.0', header: { event_type: 'hire.eco_exam.created_v1', event_id: 'x' }, event: { exam_id: 42 } }));
      const ESC = '\u001b[';
      const always = await runCli(['validate', bad, '--color', 'always']);
      assert.equal(always.code, 1);
      assert.ok(always.stdout.includes(ESC), 'colour with --color always, though stdout is a pipe');
      const forced = await runCli(['validate', bad], { env: { FORCE_COLOR: '1', NO_COLOR: undefined } });
      assert.ok(forced.stdout.includes(ESC), 'colour with FORCE_COLOR=1');
      const never = await runCli(['validate', bad, '--color', 'never'], { env: { FORCE_COLOR: '1', NO_COLOR: undefined } });
      assert.equal(never.stdout.includes(ESC), false, '--color never wins over FORCE_COLOR');
      assert.equal((await runCli(['validate', bad])).stdout.includes(ESC), false, 'auto: no colour on a pipe');
      for (const command of ['replay', 'validate', 'events', 'gateway', 'tail', 'profile']) {
        const r = await runInProcess([command, '--color', 'sometimes']);
        assert.equal(r.code, 2, `${command}: ${r.stderr}`);
        assert.match(r.stderr, /--color must be one of auto, always, never, got "sometimes"/, command);
      }
    } finally {
      await cleanup();
    }
  });

  test('--json mode: an error is one JSON object on stderr {error, hint, exit_code}, with the same exit code', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['replay', '--json', '--timeout', 'soon'], 2, /--timeout/],
      [['replay', '--json', '--bogus'], 2, /unknown option '--bogus'/],
      [['validate', '--format', 'json'], 2, /validate needs at least one input/],
      [['events', 'show', 'no.such.type', '--json'], 2, /no\.such\.type/],
      [['replay', 'hire.eco_exam.created_v1', '--gateway', 'http://127.0.0.1:9', '--json'], 1, /cannot reach the gateway/],
    ];
    for (const [args, code, message] of cases) {
      const r = await runInProcess(args, { env: CLEAN });
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line: ${r.stderr}`);
      const error = JSON.parse(lines[0] as string) as Json;
      assert.deepEqual(Object.keys(error), ['error', 'hint', 'exit_code']);
      assert.match(String(error.error), message);
      assert.equal(error.exit_code, code);
    }
  });
});
