// `npm run demo` is the README's first command: it must keep working on built-in defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { listSamples } from '../../src/catalog/samples.js';
import { isCallbackType } from '../../src/protocol/envelope-fields.js';
import { root } from '../helpers/cli.js';

test('the demo replays every bundled sample, challenge first, to the SDK example app, then the callbacks, and exits 0', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FEISHU_EVENTS_TO;
  delete env.FEISHU_ENCRYPT_KEY;
  const r = spawnSync(process.execPath, [join(root, 'examples', 'demo.js')], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const samples = listSamples().filter((s) => !isCallbackType(s.eventType));
  assert.match(r.stdout, /^✓ 200 .*url_verification {2}challenge echoed/m);
  // app_ticket goes to the SDK's own handler, which returns nothing: answered like the control, so ⚠ (read unknown).
  assert.match(r.stdout, new RegExp(`${samples.length} delivered \\(1 ⚠ read unknown\\), 0 failed`));
  assert.match(r.stdout, /^⚠ 200 .*app_ticket/m);
  // app_ticket goes to the SDK's own handler; every other sample reaches one of the example's.
  const handled = samples.filter((s) => s.eventType !== 'app_ticket').length;
  assert.match(r.stderr, new RegExp(`registered handlers ran ${handled} times`));
  assert.doesNotMatch(r.stdout + r.stderr, /no .* event handle|signature check fails/);
  // Then the callbacks, each answered: a toast, a form's new card, a link preview, the legacy action's new card.
  const callbacks = listSamples().filter((s) => s.eventType === 'card.action.trigger' || s.eventType === 'url.preview.get').length;
  assert.match(r.stdout, new RegExp(`^${callbacks} delivered, 0 failed`, 'm'));
  assert.match(r.stdout, /^✓ 200 .*card\.action\.trigger .*→ toast success "Approved"$/m);
  assert.match(r.stdout, /^✓ 200 .*card\.action\.trigger .*→ toast success "Submitted" \+ card raw \(3 elements\)$/m);
  assert.match(r.stdout, /^✓ 200 .*card\.action\.legacy .*→ new card \(1 element\)$/m);
  assert.match(r.stderr, new RegExp(`callback handlers answered ${callbacks + 1} times`));
});
