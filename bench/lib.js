// Helpers shared by the benches: timing a child process, medians, pairwise ratios, the machine's name and the JSON
// summary each bench writes to bench/results/<name>-<timestamp>.json (and <name>-latest.json) so that a run can be
// compared with the last one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const bin = join(root, 'bin', 'feishu-events.js');
export const dataDir = join(root, 'bench', '.data');
export const resultsDir = join(root, 'bench', 'results');

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median of the per-run ratios a[i] / b[i]: each pair ran back to back, so a noisy machine hits both alike. */
export function pairwiseRatio(a, b) {
  return median(a.map((x, i) => x / b[i]));
}

/**
 * CPU time (user + system, ms) of the children this process has waited for, from /proc/self/stat (cutime, cstime);
 * undefined where there is no /proc. Its resolution is the clock tick (10 ms).
 */
function childrenCpuMs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3, so cutime (16) and cstime (17) are at 13 and 14 here.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100;

/**
 * Runs a command to completion; returns its wall time in ms, its CPU time (user + system of the whole process
 * tree it waited for; undefined where it cannot be read) and the spawnSync result. On a shared machine the CPU
 * time is the steadier figure: another process's load stretches wall time, not CPU time.
 */
export function time(command, args, options = {}) {
  const cpuBefore = childrenCpuMs();
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    stdio: [options.stdin ?? 'ignore', options.stdout ?? 'ignore', options.stderr ?? 'ignore'],
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    cwd: options.cwd,
    maxBuffer: 1 << 30,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const cpuAfter = childrenCpuMs();
  const cpuMs = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  if (result.error) throw result.error;
  if (options.expect !== undefined && !options.expect.includes(result.status)) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}\n${result.stderr ?? ''}`);
  }
  return { ms, cpuMs, result };
}

/** Peak RSS of a run in MB, from GNU time when there is one, else from the process itself at exit. */
export function peakRss(args, expect = [0, 1]) {
  if (existsSync('/usr/bin/time')) {
    const { ms, result } = time('/usr/bin/time', ['-v', ...args], { stderr: 'pipe', stdout: 'pipe', expect });
    const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr.toString('utf8'));
    if (match) return { mb: Number(match[1]) / 1024, ms, how: '/usr/bin/time -v', stdout: result.stdout };
  }
  const hook = "data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss '+process.resourceUsage().maxRSS+'\\n'))";
  const [node, ...rest] = args;
  const { ms, result } = time(node, ['--import', hook, ...rest], { stderr: 'pipe', stdout: 'pipe', expect });
  const match = /maxrss (\d+)/.exec(result.stderr.toString('utf8'));
  return { mb: match ? Number(match[1]) / 1024 : NaN, ms, how: 'process.resourceUsage().maxRSS', stdout: result.stdout };
}

export function machine() {
  const list = cpus();
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: list[0]?.model?.trim() ?? 'unknown',
    cores: list.length,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    loadavg: loadavg().map((x) => Number(x.toFixed(2))),
  };
}

export function describeMachine(m = machine()) {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, node ${m.node}, load ${m.loadavg.join(' ')}`;
}

/** Writes bench/results/<name>-<time>.json and <name>-latest.json; returns the previous latest, if any. */
export function writeResults(name, summary) {
  mkdirSync(resultsDir, { recursive: true });
  const latest = join(resultsDir, `${name}-latest.json`);
  let previous;
  try {
    previous = JSON.parse(readFileSync(latest, 'utf8'));
  } catch {
    previous = undefined;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const body = `${JSON.stringify({ bench: name, at: new Date().toISOString(), machine: machine(), ...summary }, null, 2)}\n`;
  writeFileSync(join(resultsDir, `${name}-${stamp}.json`), body);
  writeFileSync(latest, body);
  console.log(`\nsummary written to bench/results/${name}-${stamp}.json${previous ? ` (previous run: ${previous.at})` : ''}`);
  return previous;
}

/** "1.23×", and the previous run's figure beside it when there is one. */
export function compare(current, previous) {
  if (previous === undefined || !Number.isFinite(previous)) return '';
  return `  (last run ${previous.toFixed(2)})`;
}

/** A small deterministic PRNG, so that the data is the same from run to run. */
export function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const fmtMs = (ms) => `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;
export const fmtRatio = (r) => `${r.toFixed(2)}×`;
