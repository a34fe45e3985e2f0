// Every command and option of the CLI, as data: commander is built from it (help, errors, suggestions) and so
// is the fast path that parses plain invocations with node's util.parseArgs, without loading commander.

export interface OptionSpec {
  /** As commander writes it: `--to <url>`, `--keep-ids`, `--no-redeliver`. */
  flags: string;
  description: string;
  /** May be given several times; the values are collected in an array. */
  repeatable?: boolean;
}

export interface CommandSpec {
  name: string;
  description: string;
  /** `[inputs...]` and its description, for commands that take inputs. */
  argument?: { name: string; description: string };
  options: OptionSpec[];
  /** Shown under the usage line of `--help` (commander's is `[options] [inputs...]`). */
  usage?: string;
  /** `--help` ends with these: a command line and what it does. */
  examples?: ReadonlyArray<readonly [string, string]>;
}

/** The general `--help` ends with these. */
export const PROGRAM_EXAMPLES: ReadonlyArray<readonly [string, string]> = [
  ['feishu-events replay hire.eco_exam.created_v1 --to http://127.0.0.1:3000/webhook/event', 'push one sample to your app'],
  ['feishu-events validate captured/', 'check captured events against the schemas'],
  ['feishu-events events show im.message.receive_v1', 'fields and a sample of one event type'],
  ['feishu-events gateway & feishu-events tail --domain http://127.0.0.1:41619', 'a local long connection, and live events'],
  ['feishu-events completion bash > ~/.local/share/bash-completion/completions/feishu-events', 'tab completion'],
];

/** Options every command takes. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { flags: '--profile <name>', description: 'use this profile\'s app settings (env FEISHU_EVENTS_PROFILE; default: the one `profile use` chose)' },
  { flags: '--color <when>', description: 'auto (colour on a terminal, off under NO_COLOR; FORCE_COLOR forces it), always or never (default auto)' },
];

const COMMAND_LIST: readonly CommandSpec[] = [
  {
    name: 'replay',
    description: 'push sample or captured events to a local endpoint exactly as the Feishu platform does',
    argument: { name: '[inputs...]', description: "event types, globs ('hire.*'), samples (type/name, type/*), .json/.ndjson files, directories, - for stdin; none: every bundled sample" },
    examples: [
      ['feishu-events replay', 'every bundled sample to http://127.0.0.1:3000/webhook/event'],
      ['feishu-events replay \'hire.*\' --encrypt-key $KEY --verification-token $TOKEN --challenge', 'encrypted, signed, challenge first'],
      ['feishu-events replay captured.ndjson --set event.package_id=13 --duplicate 1 --shuffle', 'a capture with a field changed, twice, shuffled'],
      ['feishu-events replay --gateway http://127.0.0.1:41619 im.message.receive_v1', 'through a local gateway to a WSClient app'],
      ['feishu-events replay --list \'hire.*\'', 'the bundled samples of matching types'],
    ],
    options: [
      { flags: '--to <url>', description: 'where to POST (env FEISHU_EVENTS_TO; default http://127.0.0.1:3000/webhook/event)' },
      { flags: '--encrypt-key <key>', description: "the app's Encrypt Key: encrypt the body and sign it (env FEISHU_ENCRYPT_KEY)" },
      { flags: '--verification-token <token>', description: 'written to header.token / token (env FEISHU_VERIFICATION_TOKEN)' },
      { flags: '--app-id <id>', description: 'override header.app_id' },
      { flags: '--tenant-key <key>', description: 'override header.tenant_key' },
      { flags: '--keep-ids', description: 'keep event_id and create_time as they are in the input (default: fresh ones per event)' },
      { flags: '--set <path=value>', description: 'change a field before encoding, e.g. event.package_id=13 (repeatable; JSON values are parsed; the field must exist and keep its kind)', repeatable: true },
      { flags: '--set-new', description: '--set may add fields and change a value\'s kind' },
      { flags: '--challenge', description: 'first send the url_verification challenge and require the right answer within 1 s' },
      { flags: '--timeout <ms>', description: "the deadline: an answer later than this is a failed delivery, reported as late (default 3000, the platform's)" },
      { flags: '--retries <schedule>', description: "re-push failed deliveries: none, platform (15s,5m,1h,6h) or a list like 1s,2s,5s (default none)" },
      { flags: '--duplicate <n>', description: 'deliver every event n extra times with the same event_id (reads the whole input before sending)' },
      { flags: '--shuffle', description: 'deliver in random order (the platform does not guarantee order; reads the whole input before sending)' },
      { flags: '--concurrency <n>', description: 'deliveries in flight at once (default 1: in order)' },
      { flags: '--list', description: 'list the bundled samples and exit' },
      { flags: '--json', description: 'one JSON object per delivery and a summary on stdout' },
      { flags: '--no-control', description: 'skip the control delivery (one extra request, sent first, that the app cannot accept)' },
      { flags: '--strict', description: 'exit 1 on ⚠ too (delivered, but replay cannot tell whether the app read it); with --contract: on advisory findings' },
      { flags: '--contract', description: 'probe the endpoint with forged and replayed deliveries of the first input event (security suite for CI; needs --encrypt-key)' },
      { flags: '--format <format>', description: 'pretty, json or (with --contract) junit (default pretty)' },
      { flags: '--max-event-size <size>', description: 'the longest NDJSON line / largest JSON document read, e.g. 64MiB (default 64MiB; at most 512MiB)' },
      { flags: '--gateway <domain>', description: 'push through a running `feishu-events gateway` to its WSClient apps instead of HTTP (reads the whole input before sending)' },
      { flags: '--wait-client <duration>', description: 'with --gateway: how long to wait for a connected client (default 5s; 500ms, 10s…)' },
      { flags: '--fault-every <n:fault>', description: 'with --gateway: inject a fault after every n deliveries (e.g. 5:drop, 3:refuse-endpoint:2) and end with the resilience report' },
      {
        flags: '--max-calls-per-event <n>',
        description: "with --gateway: fail when an event, its duplicates and re-pushes included, caused more than n Open API calls of one kind (replies, sends, card updates…) on the gateway",
      },
    ],
  },
  {
    name: 'validate',
    description: 'check captured events against the JSON Schemas of their event types',
    argument: { name: '[inputs...]', description: '.json (one envelope or an array), .ndjson/.jsonl files, directories, - for stdin' },
    examples: [
      ['feishu-events validate captured/', 'every .json/.ndjson file below captured/'],
      ['feishu-events validate events.ndjson --strict --format github', 'undeclared fields too, as GitHub annotations'],
      ['feishu-events tail --json | feishu-events validate -', 'live events, from stdin'],
      ['feishu-events validate capture.ndjson --allow-empty', 'an empty capture is not a failure'],
      ['feishu-events validate answers.ndjson --answer card.action.trigger', "a handler's answers to card clicks"],
    ],
    options: [
      { flags: '--encrypt-key <key>', description: 'decrypt {"encrypt": …} envelopes (env FEISHU_ENCRYPT_KEY)' },
      { flags: '--schema <file>', description: 'check every event against this one schema' },
      { flags: '--schemas <dir>', description: 'add or override schemas (<event_type>.schema.json)' },
      { flags: '--answer <callback-type>', description: "check every input as an app's answer to this callback (schemas/answer-<type>.schema.json)" },
      { flags: '--unknown-type <level>', description: 'an event type without a schema is an error, warn or ignore (default warn)' },
      { flags: '--strict', description: 'also report properties the schema does not declare' },
      { flags: '--format <format>', description: 'pretty, json, junit or github (default pretty)' },
      { flags: '--max-event-size <size>', description: 'the longest NDJSON line / largest JSON document read, e.g. 64MiB (default 64MiB; at most 512MiB)' },
      { flags: '--allow-empty', description: 'no events to check is a pass (default: exit 1)' },
    ],
  },
  {
    name: 'events',
    description: 'the event catalogue: list the event types, show one (fields and sample), print its JSON Schema',
    argument: {
      name: '[what...]',
      description: 'none or type globs: list the event types; show <type>: title, field tree and sample; schema <type>: the JSON Schema',
    },
    usage: '[type-globs...] | show <type> | schema <type> [options]',
    examples: [
      ['feishu-events events', 'every event type: type, schema version, origin, title'],
      ['feishu-events events \'im.*\'', 'the types matching a glob'],
      ['feishu-events events show im.message.receive_v1', 'title, field tree and sample of one type'],
      ['feishu-events events schema im.message.receive_v1 > im.schema.json', 'its JSON Schema'],
    ],
    options: [{ flags: '--json', description: 'the list as one JSON object per event type; show as one JSON object' }],
  },
  {
    name: 'gateway',
    description: "a local stand-in for the platform's long-connection endpoint: WSClient apps connect to it, replay --gateway pushes through it",
    argument: {
      name: '[action...]',
      description: 'none: run a gateway; fault <kind> [args…]: inject a fault into a running one (--gateway); report: print its resilience report',
    },
    examples: [
      ['feishu-events gateway --port 41619', 'run it; point WSClient apps at http://127.0.0.1:41619'],
      ['feishu-events gateway --fragment-size 512 --ack-timeout 1s', 'fragmented payloads, a short ack deadline'],
      ['feishu-events gateway fault close --gateway http://127.0.0.1:41619', 'cut a running gateway\'s connections'],
    ],
    options: [
      { flags: '--port <n>', description: 'port to listen on (default 0: a free port)' },
      { flags: '--host <host>', description: 'address to listen on (default 127.0.0.1)' },
      { flags: '--app-id <id>', description: 'accept only this app id at endpoint discovery (default: any)' },
      { flags: '--app-secret <secret>', description: 'accept only this app secret at endpoint discovery (default: any)' },
      { flags: '--fragment-size <bytes>', description: 'split every event payload into fragments of at most this many bytes' },
      { flags: '--ack-timeout <ms>', description: "how long a client has to ack an event before it is re-pushed (default 3000, the platform's)" },
      { flags: '--repush <n>', description: "re-pushes of an event not acked with code 200 in time, at most (default 4, the platform's)" },
      { flags: '--no-redeliver', description: 'do not re-push events that are not acked in time (same as --repush 0)' },
      { flags: '--fault <fault>', description: 'inject at start, e.g. refuse-endpoint:3, slow:500, drop (client faults hit the first client to connect; repeatable)', repeatable: true },
      { flags: '--gateway <domain>', description: 'with fault/report: the running gateway, as it printed its domain (env FEISHU_EVENTS_GATEWAY)' },
      { flags: '--client <id>', description: 'with fault: only this client (e.g. client-2); default: every connected client' },
      { flags: '--pick <how>', description: 'which connected client gets each event: round-robin or random (default round-robin)' },
      { flags: '--ping-interval <s>', description: 'ClientConfig.PingInterval given to clients (default 120)' },
      { flags: '--reconnect-interval <s>', description: 'ClientConfig.ReconnectInterval given to clients (default 120)' },
      { flags: '--reconnect-nonce <s>', description: 'ClientConfig.ReconnectNonce given to clients (default 30)' },
      { flags: '--reconnect-count <n>', description: 'ClientConfig.ReconnectCount given to clients (default -1: forever)' },
      { flags: '--json', description: 'the log as one JSON object per line on stdout' },
    ],
  },
  {
    name: 'tail',
    description: 'receive live events over the long connection: a terminal UI, or NDJSON on stdout without a terminal',
    examples: [
      ['feishu-events tail', 'the terminal UI (FEISHU_APP_ID / FEISHU_APP_SECRET from the environment or .env)'],
      ['feishu-events tail --json --filter \'im.*\' > events.ndjson', 'NDJSON, only message events'],
      ['feishu-events tail --forward-to http://127.0.0.1:3000/webhook/event', 're-deliver live events to a local webhook'],
      ['feishu-events tail --json --max-events 1 --timeout 30s', 'wait for one event (scripts: `ready app=…` on stderr)'],
    ],
    options: [
      { flags: '--app-id <id>', description: 'the app id (env FEISHU_APP_ID)' },
      { flags: '--app-secret <secret>', description: 'the app secret (env FEISHU_APP_SECRET)' },
      { flags: '--domain <domain>', description: 'feishu, lark, or a URL such as the one `feishu-events gateway` prints (env FEISHU_DOMAIN; default feishu)' },
      { flags: '--json', description: 'one envelope per line on stdout, even on a terminal' },
      { flags: '--save <file.ndjson>', description: 'append every event, flushed before it is acknowledged' },
      { flags: '--filter <type-glob>', description: 'only these event types (repeatable)', repeatable: true },
      { flags: '--forward-to <url>', description: 're-deliver each event to a local webhook, as replay does' },
      { flags: '--encrypt-key <key>', description: 'with --forward-to: encrypt and sign like the platform (env FEISHU_ENCRYPT_KEY)' },
      { flags: '--verification-token <token>', description: 'with --forward-to: the token written to each event (env FEISHU_VERIFICATION_TOKEN)' },
      { flags: '--keep <n>', description: 'events the terminal UI keeps in memory (default 5000)' },
      { flags: '--max-events <n>', description: 'exit after n events (those --filter keeps)' },
      { flags: '--timeout <duration>', description: 'exit after this long (500ms, 30s, 5m); with --max-events, exit 1 if fewer arrived' },
    ],
  },
  {
    name: 'completion',
    description: 'print a shell completion script (commands, options, event types and samples): bash, zsh or fish',
    argument: { name: '[shell...]', description: 'bash, zsh or fish' },
    options: [],
    examples: [
      ['feishu-events completion bash > ~/.local/share/bash-completion/completions/feishu-events', 'bash'],
      ['feishu-events completion zsh > "${fpath[1]}/_feishu-events"', 'zsh'],
      ['feishu-events completion fish > ~/.config/fish/completions/feishu-events.fish', 'fish'],
    ],
  },
  {
    name: 'profile',
    description: 'named app settings (test and production, Feishu and Lark) kept in your config directory',
    argument: {
      name: '[action...]',
      description: 'add <name> (or update it), list, use <name> (the default from now on), remove <name>',
    },
    options: [
      { flags: '--brand <brand>', description: 'with add: feishu or lark; sets the domain unless --domain is given' },
      { flags: '--app-id <id>', description: 'with add: the app id (cli_…)' },
      { flags: '--app-secret <secret>', description: 'with add: the app secret (- reads it from stdin)' },
      { flags: '--encrypt-key <key>', description: 'with add: the Encrypt Key (- reads it from stdin)' },
      { flags: '--verification-token <token>', description: 'with add: the Verification Token (- reads it from stdin)' },
      { flags: '--domain <domain>', description: 'with add: feishu, lark or a URL (e.g. a local gateway)' },
      { flags: '--json', description: 'with list: one JSON object per profile (secrets shown only as set or not)' },
    ],
  },
];

export const COMMANDS: readonly CommandSpec[] = COMMAND_LIST.map((spec) => ({ ...spec, options: [...spec.options, ...COMMON_OPTIONS] }));
