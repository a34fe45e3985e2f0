import type { Command as CommandType } from 'commander';
import { COMMANDS, PROGRAM_EXAMPLES, type CommandSpec, type OptionSpec } from './cli-spec.js';
import { didYouMean } from './catalog/suggest.js';
import { ExitCode, isUserError, usageError } from './errors.js';
import { isDirectOutput, processIO, withIO, type CommandIO } from './io.js';
import { escapeControl, maskUrlCredentials } from './safe-text.js';
import { createStop, type Stop } from './stop.js';
import { packageVersion } from './version.js';

/** `stop`: for the commands that SIGINT / SIGTERM stop (runCommand); the others get none. */
type Runner = (inputs: string[], options: Record<string, unknown>, io: CommandIO, stop: Stop | undefined) => Promise<number>;

/** Each command's code, loaded only when that command runs. */
const RUNNERS: Record<string, () => Promise<Runner>> = {
  replay: async () => {
    const { runReplay } = await import('./commands/replay.js');
    return (inputs, options, io, stop) => runReplay(inputs, options, io, stop?.abortSignal());
  },
  validate: async () => {
    const { runValidate } = await import('./commands/validate.js');
    return (inputs, options, io, stop) => runValidate(inputs, options, io, stop?.signal);
  },
  events: async () => {
    const { runEvents } = await import('./commands/events.js');
    return (inputs, options, io) => runEvents(inputs, options, io);
  },
  gateway: async () => {
    const { runGateway } = await import('./commands/gateway.js');
    return (inputs, options, io, stop) => runGateway(options, io, (stop ?? createStop()).abortSignal(), inputs);
  },
  completion: async () => {
    const { runCompletion } = await import('./commands/completion.js');
    return (inputs, _options, io) => runCompletion(inputs, io);
  },
  tail: async () => {
    const { runTail } = await import('./commands/tail.js');
    return (_inputs, options, io, stop) => runTail(options, io, (stop ?? createStop()).abortSignal());
  },
  profile: async () => {
    const { runProfile } = await import('./commands/profile.js');
    return (inputs, options, io) => runProfile(inputs, options, io);
  },
};

const COLOR_CHOICES = ['auto', 'always', 'never'];

/** --color always|never, as the environment every colour decision reads (NO_COLOR, FORCE_COLOR); auto leaves it. */
function withColor(options: Record<string, unknown>, io: CommandIO): CommandIO {
  const when = options.color;
  if (when === undefined || when === 'auto') return io;
  if (typeof when !== 'string' || !COLOR_CHOICES.includes(when)) {
    throw usageError(`--color must be one of ${COLOR_CHOICES.join(', ')}, got "${String(when)}"`);
  }
  const env: Record<string, string | undefined> = { ...io.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  if (when === 'always') env.FORCE_COLOR = '1';
  else env.NO_COLOR = '1';
  return withIO({ stdout: io.stdout, stderr: io.stderr, env, cwd: io.cwd }, () => io.stdin);
}

/**
 * Commands that run until they are told to stop: SIGINT and SIGTERM abort their signal, and they shut down in
 * order (close connections, give the terminal back). The others keep node's default: a signal ends the process.
 */
const RUN_UNTIL_STOPPED = new Set(['gateway', 'tail']);

/**
 * Commands that stop early on SIGINT / SIGTERM and report what they did so far (replay: stop sending, wait briefly
 * for what is in flight, print the partial summary; validate: stop reading, report what was checked), then exit
 * 130 / 143. A second signal ends the process at once. A closed stdout (`validate … | head`) does not stop them:
 * they stop writing and finish, and their exit code says what they found (the services handle the failed writes).
 */
const INTERRUPTIBLE = new Set(['replay', 'validate']);
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** Run a command with its stop (src/stop.ts); the only place that listens for signals. */
async function runCommand(name: string, inputs: string[], options: Record<string, unknown>, given: CommandIO): Promise<number> {
  const io = withColor(options, given);
  const run = await (RUNNERS[name] as () => Promise<Runner>)();
  const interruptible = INTERRUPTIBLE.has(name);
  // Nothing stops the other commands (events, completion, profile), nor `replay --list`: no signal, no handlers (node
  // sets up its AbortController on first use, ~0.5 ms of a start-up).
  if (!RUN_UNTIL_STOPPED.has(name) && !interruptible) return run(inputs, options, io, undefined);
  // Left in place after the run: a write still on its way may fail with EPIPE, and must not crash the process (the
  // service has seen the failure on its writer and stopped writing).
  if (interruptible) io.stdout.on('error', outputFailed);
  if (name === 'replay' && options.list === true) return run(inputs, options, io, undefined);
  const told = createStop();
  let caught: string | undefined;
  const stop = (signal: NodeJS.Signals): void => {
    if (!interruptible) return told.abort(signal);
    if (caught !== undefined) process.exit(SIGNAL_EXIT[signal] ?? 1);
    caught = signal;
    told.abort(signal);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const code = await run(inputs, options, io, told);
    return caught !== undefined ? (SIGNAL_EXIT[caught] ?? code) : code;
  } catch (error) {
    if (caught !== undefined) return SIGNAL_EXIT[caught] ?? 1;
    throw error;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** Collect a repeatable option into an array. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

interface ParsedFlag {
  /** `encrypt-key` for `--encrypt-key <key>`, `redeliver` for `--no-redeliver`. */
  long: string;
  /** The options key commander uses: `encryptKey`, `redeliver`. */
  key: string;
  takesValue: boolean;
  negated: boolean;
}

function parseFlag(option: OptionSpec): ParsedFlag {
  const match = /^--(no-)?([a-z0-9-]+)(\s+[<[].*)?$/.exec(option.flags);
  if (!match) throw new Error(`bad option spec ${option.flags}`);
  const long = match[2] as string;
  return {
    long: `${match[1] ?? ''}${long}`,
    key: long.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()),
    takesValue: match[3] !== undefined,
    negated: match[1] !== undefined,
  };
}

/**
 * Parse a plain invocation (`cmd [inputs] --known-option value …`) without commander, whose loading is a good
 * part of start-up. Anything else (help, unknown options, a missing value) returns undefined, and commander
 * parses it with its own messages. The options object is the one commander would have made.
 */
export function fastParse(spec: CommandSpec, args: readonly string[]): { inputs: string[]; options: Record<string, unknown> } | undefined {
  if (args.some((arg) => arg === '-h' || arg === '--help' || arg === '-V' || arg === '--version')) return undefined;
  const flags = spec.options.map((option) => ({ option, flag: parseFlag(option) }));
  const config = new Map<string, { takesValue: boolean; repeatable: boolean }>();
  for (const { option, flag } of flags) config.set(flag.long, { takesValue: flag.takesValue, repeatable: option.repeatable === true });
  const parsed = parseLongOptions(args, config, spec.argument !== undefined);
  if (parsed === undefined) return undefined;
  const options: Record<string, unknown> = {};
  for (const { flag } of flags) {
    const value = parsed.values.get(flag.long);
    if (flag.negated) options[flag.key] = value !== true;
    else if (value !== undefined) options[flag.key] = value;
  }
  return { inputs: parsed.positionals, options };
}

/**
 * `--long`, `--long value`, `--long=value`, positionals and `--`: what node's util.parseArgs makes of them (strict),
 * without loading it (node:util's parseArgs and its modules cost ~1 ms of a start-up). Undefined for anything else
 * (a short option, an unknown one, a value that looks like an option, a missing value), which commander then parses
 * with its own messages.
 */
function parseLongOptions(
  args: readonly string[],
  config: ReadonlyMap<string, { takesValue: boolean; repeatable: boolean }>,
  allowPositionals: boolean,
): { values: Map<string, string | boolean | string[]>; positionals: string[] } | undefined {
  const values = new Map<string, string | boolean | string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) return undefined;
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    const option = config.get(name);
    if (option === undefined) return undefined;
    let value: string | boolean;
    if (!option.takesValue) {
      if (equals !== -1) return undefined;
      value = true;
    } else if (equals !== -1) value = arg.slice(equals + 1);
    else {
      const next = args[i + 1];
      if (next === undefined || (next.length > 1 && next.startsWith('-'))) return undefined;
      value = next;
      i++;
    }
    if (option.repeatable) {
      const list = values.get(name);
      values.set(name, Array.isArray(list) ? [...list, value as string] : [value as string]);
    } else values.set(name, value);
  }
  if (!allowPositionals && positionals.length > 0) return undefined;
  return { values, positionals };
}

/** The `Examples:` section of a `--help`. */
function examplesText(examples: ReadonlyArray<readonly [string, string]>): string {
  return `\nExamples:\n${examples.map(([line, what]) => `  $ ${line}\n      ${what}`).join('\n')}\n`;
}

/**
 * commander's own rule for colours that the environment forces on or off (commander 14, useColor in lib/command.js):
 * what it decides for a stream that is not a terminal.
 */
const commanderForcedColor = forcedColor as () => boolean;
const noWidth = (() => undefined) as unknown as () => number;
function forcedColor(): boolean | undefined {
  const env = process.env;
  if (env.NO_COLOR || env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  if (env.FORCE_COLOR || env.CLICOLOR_FORCE !== undefined) return true;
  return undefined;
}

type Act = (spec: CommandSpec, inputs: string[], options: Record<string, unknown>) => Promise<void>;

/**
 * The program as commander parses it. `only`: the one command an invocation names (`tail --help`, `help tail`, a
 * command line the fast path leaves to commander) is the only one set up — what commander prints and does for it is
 * the same, and setting up every command's options was ~2 ms of `tail --help`.
 */
function buildProgram(Command: typeof CommandType, io: CommandIO, act: Act, json: boolean, only?: string): CommandType {
  const program = new Command('feishu-events')
    .description('Replay, validate and tail Feishu / Lark events.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      // In --json mode commander's message becomes the JSON error (reportError), not a line of its own.
      writeErr: (text) => (json ? undefined : io.stderr.write(text)),
      // commander asks process.stdout / process.stderr whether they are terminals (help width, colours), which sets
      // them up (~3 ms); output written directly is never a terminal: no width, and colours only if forced.
      ...(isDirectOutput(io.stdout) ? { getOutHelpWidth: noWidth, getOutHasColors: commanderForcedColor } : {}),
      ...(isDirectOutput(io.stderr) ? { getErrHelpWidth: noWidth, getErrHasColors: commanderForcedColor } : {}),
    })
    .exitOverride();
  program.addHelpText('after', examplesText(PROGRAM_EXAMPLES));
  for (const spec of COMMANDS) {
    if (only !== undefined && spec.name !== only) continue;
    const command = program.command(spec.name).description(spec.description);
    if (spec.usage) command.usage(spec.usage);
    if (spec.examples) command.addHelpText('after', examplesText(spec.examples));
    if (spec.argument) command.argument(spec.argument.name, spec.argument.description);
    for (const option of spec.options) {
      if (option.repeatable) command.option(option.flags, option.description, collect);
      else command.option(option.flags, option.description);
    }
    command.action(async (...args: unknown[]) => {
      const inputs = spec.argument ? (args[0] as string[]) : [];
      const options = (spec.argument ? args[1] : args[0]) as Record<string, unknown>;
      await act(spec, inputs, options);
    });
  }
  return program;
}

/**
 * What commander makes of `args` (after the program name): the command, its inputs and the options object its
 * action gets, without running it. The fast path must give the same (test/unit/cli-parity.test.ts).
 */
export async function commanderParse(args: readonly string[]): Promise<{ command: string; inputs: string[]; options: Record<string, unknown> }> {
  const { Command } = await import('commander');
  const silent = { write: () => true } as unknown as CommandIO['stdout'];
  let parsed: { command: string; inputs: string[]; options: Record<string, unknown> } | undefined;
  const program = buildProgram(
    Command,
    withIO({ stdout: silent, stderr: silent, env: process.env, cwd: process.cwd() }, () => process.stdin),
    async (spec, inputs, options) => {
      parsed = { command: spec.name, inputs, options: { ...options } };
    },
    false,
  );
  await program.parseAsync(['node', 'feishu-events', ...args]);
  if (!parsed) throw new Error(`commander ran no command for ${args.join(' ')}`);
  return parsed;
}

/**
 * tail's terminal UI keeps V8's young generation at its initial size: it allocates steadily for as long as it runs,
 * and V8 grows the young generation to 2 × 16 MB within seconds, which such a process then holds. Set before
 * anything is loaded (it takes effect at the young generation's next resize); no second process is needed.
 */
async function keepTailUiYoungGenerationSmall(argv: string[], io: CommandIO): Promise<void> {
  if (argv[2] !== 'tail' || argv.some((arg) => arg === '--json' || arg === '-h' || arg === '--help')) return;
  // (Only then: process.stdout is set up when first read.)
  if (io.stdout !== process.stdout || !process.stdout.isTTY) return;
  // Loaded here only: node:v8 is not worth its load for every other command's start-up.
  const { setV8Flags, YOUNG_GENERATION_FIXED } = await import('./v8-flags.js');
  setV8Flags(YOUNG_GENERATION_FIXED);
}

/**
 * May the process's output be written directly (processIO's `direct`)? For everything but the commands that run until
 * stopped (a blocking write must not hold up their event loop); their help is printed and done.
 */
function writesDirectly(argv: readonly string[]): boolean {
  if (!RUN_UNTIL_STOPPED.has(argv[2] ?? '')) return true;
  const args = argv.slice(3);
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/** Run the CLI; resolves to the exit code. Only this function prints errors. */
export async function main(argv: string[], io: CommandIO = processIO(writesDirectly(argv))): Promise<number> {
  // `--version` alone answers without loading the argument parser: start-up time is part of the product.
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  await keepTailUiYoungGenerationSmall(argv, io);
  const json = wantsJson(argv.slice(3));
  try {
    // `help <command>` for a command that does not exist says so, rather than printing the general help.
    if (argv[2] === 'help' && argv[3] !== undefined && !COMMANDS.some((c) => c.name === argv[3])) {
      const names = COMMANDS.map((c) => c.name);
      throw usageError(`unknown command "${argv[3]}"${didYouMean(argv[3], names)}`, `commands: ${names.join(', ')}; \`feishu-events --help\` shows them all`);
    }
    const spec = COMMANDS.find((c) => c.name === argv[2]);
    const fast = spec ? fastParse(spec, argv.slice(3)) : undefined;
    if (spec && fast) {
      return await runCommand(spec.name, fast.inputs, fast.options, io);
    }
    let exitCode = 0;
    // Help and usage go out through commander: `--help | head` closes the pipe early, which must not crash (EPIPE).
    io.stdout.on('error', outputFailed);
    const { Command } = await import('commander');
    const program = buildProgram(
      Command,
      io,
      async (command, inputs, options) => {
        exitCode = await runCommand(command.name, inputs, options, io);
      },
      json,
      spec?.name ?? (argv[2] === 'help' && argv.length === 4 ? argv[3] : undefined),
    );
    if (argv.length <= 2) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    return reportError(error, io, json);
  }
}

/** --json, or --format json: errors go to stderr as one JSON object too. */
function wantsJson(args: readonly string[]): boolean {
  return args.some((arg, i) => arg === '--json' || arg === '--format=json' || (arg === '--format' && args[i + 1] === 'json'));
}

/** The one line an error is reported as: `feishu-events: …` (+ `  hint: …`), or in --json mode one JSON object. */
function writeError(io: CommandIO, json: boolean, error: { message: string; hint?: string | undefined; exitCode: number; stack?: string }): void {
  // Never a password from a URL the message quotes; in text, one line each whatever the message quotes.
  if (json) {
    const hint = error.hint === undefined ? null : maskUrlCredentials(error.hint);
    io.stderr.write(`${JSON.stringify({ error: maskUrlCredentials(error.message), hint, exit_code: error.exitCode, ...(error.stack ? { stack: error.stack } : {}) })}\n`);
    return;
  }
  io.stderr.write(`feishu-events: ${maskUrlCredentials(escapeControl(error.message))}\n`);
  if (error.hint) io.stderr.write(`  hint: ${maskUrlCredentials(escapeControl(error.hint))}\n`);
  if (error.stack) io.stderr.write(`${error.stack}\n`);
}

function reportError(error: unknown, io: CommandIO, json: boolean): number {
  // Commander has already printed its own message (unknown option, missing argument, --help, --version), but for
  // --json, where the message is reported here as JSON.
  if (isCommanderError(error)) {
    const exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    if (json && exitCode !== ExitCode.ok) {
      const [first, ...more] = error.message.replace(/^error: /, '').split('\n').filter(Boolean);
      writeError(io, true, { message: first ?? error.message, hint: more.join(' ') || 'feishu-events <command> --help lists the options', exitCode });
    }
    return exitCode;
  }
  if (isUserError(error)) {
    writeError(io, json, { message: error.message, hint: error.hint, exitCode: error.exitCode });
    return error.exitCode;
  }
  if (isBrokenPipe(error)) return ExitCode.ok;
  writeError(io, json, { message: 'internal error (this is a bug, please report it)', exitCode: ExitCode.internal, stack: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  return ExitCode.internal;
}

/** A failed write to stdout is the service's to handle (its writer sees the error); here it only must not crash. */
function outputFailed(): void {}

/**
 * Commander's own errors (unknown option, --help…), told by their `code` (`commander.unknownOption`): the class name
 * does not survive bundling (the bin's bundle holds commander; esbuild may rename the class).
 */
function isCommanderError(error: unknown): error is Error & { exitCode: number; code: string } {
  if (!(error instanceof Error)) return false;
  const { code, exitCode } = error as Error & { code?: unknown; exitCode?: unknown };
  return typeof code === 'string' && code.startsWith('commander.') && typeof exitCode === 'number';
}

function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}
