// What replay can and cannot tell about apps built on different node SDK versions: 1.17 and 1.40 answer every
// event with an empty body (adaptDefault: res.end('')), 1.74 answers the handler's return value.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { startSdkApp, warmUp, type SdkPackage } from '../helpers/sdk-apps.js';

/** Where the deadline is not the point: room for a busy machine (the app and replay share this process). */
const ROOM = ['--timeout', '20000'];

const KEY = 'versions key';
const TYPES = ['hire.eco_exam.created_v1', 'hire.eco_background_check.created_v1'];
type Json = Record<string, unknown>;
const jsonLines = (text: string): Json[] => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);

async function replayTo(pkg: SdkPackage, returns: unknown, args: string[] = []): Promise<{ code: number | null; lines: Json[]; pretty: string; handled: string[] }> {
  const app = await startSdkApp(pkg, { encryptKey: KEY, types: TYPES, returns });
  try {
    await warmUp(app.url);
    const json = await runCli(['replay', ...TYPES, '--to', app.url, '--encrypt-key', KEY, '--challenge', '--json', ...args, ...ROOM]);
    const pretty = await runInProcess(['replay', ...TYPES, '--to', app.url, '--encrypt-key', KEY, ...args, ...ROOM]);
    assert.equal(json.code, pretty.code);
    return { code: json.code, lines: jsonLines(json.stdout), pretty: pretty.stdout + pretty.stderr, handled: app.handled };
  } finally {
    await app.close();
  }
}

describe('replay-sdk-versions', () => {
  test('node SDK 1.17 and 1.40 with the right key: delivered, ⚠ read unknown, exit 0 — and no claim that the key is wrong', async () => {
    for (const pkg of ['lark-sdk-1-17', 'lark-sdk-1-40'] as const) {
      const r = await replayTo(pkg, 'success');
      assert.equal(r.code, 0, `${pkg}: ${JSON.stringify(r.lines)}`);
      assert.equal(r.handled.length, 4, `${pkg}: every handler ran (twice: --json and pretty)`);
      const deliveries = r.lines.filter((l) => l.type === 'delivery');
      assert.equal(deliveries.length, 2);
      for (const d of deliveries) assert.deepEqual([d.verdict, d.mark, d.body], ['delivered', 'warn', ''], pkg);
      assert.doesNotMatch(r.pretty, /✗/);
      assert.doesNotMatch(r.pretty, /check that --encrypt-key|is not the app's Encrypt Key|the key is wrong/i);
      assert.match(r.pretty, /empty body in 1\.17\.0, 1\.26\.0 and 1\.40\.1/, 'the versions are named, as possible causes');
    }
  });

  test('node SDK 1.74 whose handlers return a value: ✓; whose handlers return nothing: ⚠', async () => {
    const value = await replayTo('@larksuiteoapi/node-sdk', { ok: true });
    assert.equal(value.code, 0);
    for (const d of value.lines.filter((l) => l.type === 'delivery')) assert.deepEqual([d.verdict, d.mark, d.read], ['delivered', 'ok', 'distinct']);
    assert.match(value.pretty, /^✓ 200 /m);
    assert.doesNotMatch(value.pretty, /⚠/);
    const nothing = await replayTo('@larksuiteoapi/node-sdk', undefined, ['--strict']);
    assert.equal(nothing.code, 1, '--strict: ⚠ exits 1');
    for (const d of nothing.lines.filter((l) => l.type === 'delivery')) assert.equal(d.mark, 'warn');
    assert.equal(nothing.handled.length, 4, 'the handlers ran: replay says it cannot tell, not that they did not');
  });
});
