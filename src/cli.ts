import type { Command as CommandType } from 'commander';
import { isUserError } from './errors.js';
import { processIO, type CommandIO } from './io.js';
import { packageVersion } from './version.js';

/** Collect a repeatable option into an array. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function buildProgram(Command: typeof CommandType, io: CommandIO, setExit: (code: number) => void): CommandType {
  const program = new Command('feishu-events')
    .description('Replay, validate and tail Feishu / Lark events.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride();

  program
    .command('replay')
    .description('push sample or captured events to a local endpoint exactly as the Feishu platform does')
    .argument('[inputs...]', "event types, globs ('hire.*'), samples (type/name, type/*), .json/.ndjson files, directories, - for stdin; none: every bundled sample")
    .option('--to <url>', 'where to POST (env FEISHU_EVENTS_TO; default http://127.0.0.1:3000/webhook/event)')
    .option('--encrypt-key <key>', "the app's Encrypt Key: encrypt the body and sign it (env FEISHU_ENCRYPT_KEY)")
    .option('--verification-token <token>', 'written to header.token / token (env FEISHU_VERIFICATION_TOKEN)')
    .option('--app-id <id>', 'override header.app_id')
    .option('--tenant-key <key>', 'override header.tenant_key')
    .option('--keep-ids', 'keep event_id and create_time as they are in the input (default: fresh ones per event)')
    .option('--set <path=value>', 'override a field before encoding, e.g. event.package_id=13 (repeatable; JSON values are parsed)', collect)
    .option('--challenge', 'first send the url_verification challenge and require the right answer within 1 s')
    .option('--timeout <ms>', "how long to wait for an answer; slower is a failure (default 3000, the platform's deadline)")
    .option('--retries <schedule>', "re-push failed deliveries: none, platform (15s,5m,1h,6h) or a list like 1s,2s,5s (default none)")
    .option('--duplicate <n>', 'deliver every event n extra times with the same event_id')
    .option('--shuffle', 'deliver in random order (the platform does not guarantee order)')
    .option('--concurrency <n>', 'deliveries in flight at once (default 1: in order)')
    .option('--list', 'list the bundled samples and exit')
    .option('--json', 'one JSON object per delivery and a summary on stdout')
    .option('--gateway <domain>', 'push through a running `feishu-events gateway` to its WSClient apps instead of HTTP')
    .option('--wait-client <ms>', 'with --gateway: how long to wait for a connected client (default 5000)')
    .action(async (inputs: string[], options: Record<string, unknown>) => {
      const { runReplay } = await import('./commands/replay.js');
      setExit(await runReplay(inputs, options, io));
    });

  program
    .command('validate')
    .description('check captured events against the JSON Schemas of their event types')
    .argument('[inputs...]', '.json (one envelope or an array), .ndjson/.jsonl files, directories, - for stdin')
    .option('--encrypt-key <key>', 'decrypt {"encrypt": …} envelopes (env FEISHU_ENCRYPT_KEY)')
    .option('--schema <file>', 'check every event against this one schema')
    .option('--schemas <dir>', 'add or override schemas (<event_type>.schema.json)')
    .option('--unknown-type <level>', 'an event type without a schema is an error, warn or ignore (default warn)')
    .option('--strict', 'also report properties the schema does not declare')
    .option('--format <format>', 'pretty, json, junit or github (default pretty)')
    .action(async (inputs: string[], options: Record<string, unknown>) => {
      const { runValidate } = await import('./commands/validate.js');
      setExit(await runValidate(inputs, options, io));
    });

  program
    .command('gateway')
    .description("a local stand-in for the platform's long-connection endpoint: WSClient apps connect to it, replay --gateway pushes through it")
    .option('--port <n>', 'port to listen on (default 0: a free port)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--app-id <id>', 'accept only this app id at endpoint discovery (default: any)')
    .option('--app-secret <secret>', 'accept only this app secret at endpoint discovery (default: any)')
    .option('--fragment-size <bytes>', 'split every event payload into fragments of at most this many bytes')
    .option('--ack-timeout <ms>', "how long a client has to ack an event before it is re-pushed (default 3000, the platform's)")
    .option('--no-redeliver', 'do not re-push events that are not acked in time')
    .option('--pick <how>', 'which connected client gets each event: round-robin or random (default round-robin)')
    .option('--ping-interval <s>', 'ClientConfig.PingInterval given to clients (default 120)')
    .option('--reconnect-interval <s>', 'ClientConfig.ReconnectInterval given to clients (default 120)')
    .option('--reconnect-nonce <s>', 'ClientConfig.ReconnectNonce given to clients (default 30)')
    .option('--reconnect-count <n>', 'ClientConfig.ReconnectCount given to clients (default -1: forever)')
    .option('--json', 'the log as one JSON object per line on stdout')
    .action(async (options: Record<string, unknown>) => {
      const { runGateway } = await import('./commands/gateway.js');
      setExit(await runGateway(options, io));
    });

  program
    .command('tail')
    .description('receive live events over the long connection: a terminal UI, or NDJSON on stdout without a terminal')
    .option('--app-id <id>', 'the app id (env FEISHU_APP_ID)')
    .option('--app-secret <secret>', 'the app secret (env FEISHU_APP_SECRET)')
    .option('--domain <domain>', 'feishu, lark, or a URL such as the one `feishu-events gateway` prints (env FEISHU_DOMAIN; default feishu)')
    .option('--json', 'one envelope per line on stdout, even on a terminal')
    .option('--save <file.ndjson>', 'append every event, flushed before it is acknowledged')
    .option('--filter <type-glob>', 'only these event types (repeatable)', collect)
    .option('--forward-to <url>', 're-deliver each event to a local webhook, as replay does')
    .option('--encrypt-key <key>', 'with --forward-to: encrypt and sign like the platform (env FEISHU_ENCRYPT_KEY)')
    .option('--verification-token <token>', 'with --forward-to: the token written to each event (env FEISHU_VERIFICATION_TOKEN)')
    .option('--keep <n>', 'events the terminal UI keeps in memory (default 5000)')
    .action(async (options: Record<string, unknown>) => {
      const { runTail } = await import('./commands/tail.js');
      setExit(await runTail(options, io));
    });

  return program;
}

/** Run the CLI; resolves to the exit code. Only this function prints errors. */
export async function main(argv: string[], io: CommandIO = processIO()): Promise<number> {
  // `--version` alone answers without loading the argument parser: start-up time is part of the product.
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  let exitCode = 0;
  try {
    const { Command } = await import('commander');
    const program = buildProgram(Command, io, (code) => {
      exitCode = code;
    });
    if (argv.length <= 2) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CommandIO): number {
  // Commander has already printed its own message (unknown option, missing argument, --help, --version).
  if (error instanceof Error && error.name === 'CommanderError') {
    const code = (error as Error & { exitCode: number; code: string }).exitCode;
    return code === 0 ? 0 : 2;
  }
  if (isUserError(error)) {
    io.stderr.write(`feishu-events: ${error.message}\n`);
    if (error.hint) io.stderr.write(`  hint: ${error.hint}\n`);
    return error.exitCode;
  }
  if (isBrokenPipe(error)) return 0;
  io.stderr.write(`feishu-events: internal error (this is a bug, please report it)\n${error instanceof Error ? error.stack : String(error)}\n`);
  return 70;
}

function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}
