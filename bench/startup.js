#!/usr/bin/env node
// Start-up of every command's plain invocation, against bare `node -e ''` measured in the same run: each command
// runs right after a bare node, and the ratio is the median of those pairwise ratios (target: at most 1.3×).
// Usage: npm run bench:startup -- [--runs 15] [--without-extra-ca]
// NODE_EXTRA_CA_CERTS (set on some CI and corporate machines) makes every node start read and parse those
// certificates — tens of ms, in bare node too — which hides the difference; --without-extra-ca unsets it for both.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, dataDir, describeMachine, fmtMs, fmtRatio, median, pairwiseRatio, root, time, writeResults } from './lib.js';

let runs = 15;
let withoutExtraCa = false;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--runs') runs = Number(argv[++i]);
  else if (argv[i] === '--without-extra-ca') withoutExtraCa = true;
  else throw new Error(`unknown argument ${argv[i]}`);
}
const extraCa = process.env.NODE_EXTRA_CA_CERTS !== undefined && !withoutExtraCa;
// spawnSync leaves out variables whose value is undefined.
const env = withoutExtraCa ? { NODE_EXTRA_CA_CERTS: undefined } : {};

mkdirSync(dataDir, { recursive: true });
const one = join(dataDir, 'one.json');
writeFileSync(one, readFileSync(join(root, 'samples', 'hire.eco_exam.created_v1', 'doc.json')));

const COMMANDS = [
  { name: '--version', args: ['--version'] },
  { name: 'validate one.json', args: ['validate', one] },
  { name: 'replay --list', args: ['replay', '--list'] },
  { name: 'events', args: ['events'] },
  { name: 'tail --help', args: ['tail', '--help'] },
];

const node = process.execPath;
const bare = () => time(node, ['-e', ''], { expect: [0], env });
const ours = (c) => time(node, [bin, ...c.args], { expect: [0], stdout: 'pipe', env });
// Warm-up: page cache, compile cache.
for (let i = 0; i < 2; i++) {
  bare();
  for (const c of COMMANDS) ours(c);
}
const bareRuns = COMMANDS.map(() => []);
const oursRuns = COMMANDS.map(() => []);
// CPU time (user + system) too: another process's load stretches wall time, not CPU time. Its clock ticks are
// 10 ms, so the CPU ratio is of the sums over all runs, not a median of per-run ratios.
const bareCpu = COMMANDS.map(() => 0);
const oursCpu = COMMANDS.map(() => 0);
for (let run = 0; run < runs; run++) {
  process.stderr.write(`  run ${run + 1}/${runs}${run + 1 === runs ? "\n" : "\r"}`);
  COMMANDS.forEach((c, i) => {
    const b = bare();
    const o = ours(c);
    bareRuns[i].push(b.ms);
    oursRuns[i].push(o.ms);
    bareCpu[i] += b.cpuMs ?? NaN;
    oursCpu[i] += o.cpuMs ?? NaN;
  });
}

console.log(`feishu-events start-up — ${describeMachine()}`);
console.log(`${runs} runs each, each command right after a bare node; ratio = median of the pairwise ratios (target ≤ 1.30×)`);
if (extraCa) console.log('NODE_EXTRA_CA_CERTS is set: every node start, bare node too, reads those certificates first, which lowers every ratio (--without-extra-ca: without)');
else if (withoutExtraCa) console.log('without NODE_EXTRA_CA_CERTS (unset for both)');
const allBare = bareRuns.flat();
console.log(`  ${"node -e ''".padEnd(36)} ${fmtMs(median(allBare)).padStart(9)}`);
const results = COMMANDS.map((c, i) => {
  const ratio = pairwiseRatio(oursRuns[i], bareRuns[i]);
  const ms = median(oursRuns[i]);
  const cpuRatio = oursCpu[i] / bareCpu[i];
  console.log(`  ${`feishu-events ${c.name}`.padEnd(36)} ${fmtMs(ms).padStart(9)}   ${fmtRatio(ratio)} bare node   CPU time ${Number.isFinite(cpuRatio) ? fmtRatio(cpuRatio) : 'n/a'}`);
  return { command: c.name, medianMs: ms, bareMedianMs: median(bareRuns[i]), ratio, cpuRatio, cpuMs: oursCpu[i], bareCpuMs: bareCpu[i], runsMs: oursRuns[i], bareRunsMs: bareRuns[i] };
});
const previous = writeResults(withoutExtraCa ? 'startup-without-extra-ca' : 'startup', { runs, extraCa, bareMedianMs: median(allBare), commands: results });
if (previous?.commands) {
  console.log(`last run: ${previous.commands.map((c) => `${c.command} ${c.ratio.toFixed(2)}×`).join(', ')}`);
}
