// `feishu-events completion <shell>`: a completion script for bash, zsh or fish, made from the command table
// (cli-spec.ts) and the catalogue, so commands, options, event types and sample ids complete. The types are written
// into the script: completing costs no process start; print the script again after upgrading.
import { listCatalog } from '../catalog/event-catalog.js';
import { listSamples } from '../catalog/samples.js';
import { COMMANDS, type CommandSpec } from '../cli-spec.js';
import { usageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { writeOut } from '../report/stream-writer.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** Fixed choices for options that take one of a few values; other values complete as file names. */
const CHOICES: Record<string, readonly string[]> = {
  '--unknown-type': ['error', 'warn', 'ignore'],
  '--pick': ['round-robin', 'random'],
  '--retries': ['none', 'platform'],
  '--domain': ['feishu', 'lark'],
};

function formatChoices(command: string): readonly string[] {
  return command === 'validate' ? ['pretty', 'json', 'junit', 'github'] : ['pretty', 'json', 'junit'];
}

interface Words {
  commands: readonly CommandSpec[];
  types: readonly string[];
  samples: readonly string[];
}

const long = (flags: string): string => flags.split(' ')[0] as string;
const takesValue = (flags: string): boolean => flags.includes('<');

/** What a command's positional arguments are. */
function positionals(command: string, words: Words): { kind: 'types+files' | 'types' | 'words' | 'none'; words: readonly string[] } {
  switch (command) {
    case 'replay':
      return { kind: 'types+files', words: [...words.types, ...words.samples] };
    case 'validate':
      return { kind: 'types+files', words: [] };
    case 'events':
      return { kind: 'types', words: ['show', 'schema', ...words.types] };
    case 'gateway':
      return { kind: 'words', words: ['fault', 'report'] };
    case 'completion':
      return { kind: 'words', words: SHELLS };
    default:
      return { kind: 'none', words: [] };
  }
}

function bashScript(words: Words): string {
  const q = (list: readonly string[]): string => `"${list.join(' ')}"`;
  const valueCases: string[] = [];
  for (const [flag, choices] of Object.entries(CHOICES)) valueCases.push(`      ${flag}) COMPREPLY=( $(compgen -W ${q(choices)} -- "$cur") ); return ;;`);
  valueCases.push(`      --format) if [[ $cmd == validate ]]; then COMPREPLY=( $(compgen -W ${q(formatChoices('validate'))} -- "$cur") ); else COMPREPLY=( $(compgen -W ${q(formatChoices('replay'))} -- "$cur") ); fi; return ;;`);
  valueCases.push(`      --filter) COMPREPLY=( $(compgen -W "$types" -- "$cur") ); return ;;`);
  const valueFlags = [...new Set(words.commands.flatMap((c) => c.options.filter((o) => takesValue(o.flags)).map((o) => long(o.flags))))].filter((f) => !(f in CHOICES) && f !== '--format' && f !== '--filter');
  valueCases.push(`      ${valueFlags.join('|')}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;`);
  const commandCases = words.commands.map((c) => {
    const opts = [...c.options.map((o) => long(o.flags)), '--help'];
    const pos = positionals(c.name, words);
    const args =
      pos.kind === 'none'
        ? ''
        : pos.kind === 'types+files'
          ? `COMPREPLY=( $(compgen -W "${c.name === 'replay' ? '$types $samples' : ''}" -- "$cur") $(compgen -f -- "$cur") )`
          : pos.kind === 'types'
            ? `COMPREPLY=( $(compgen -W "show schema $types" -- "$cur") )`
            : `COMPREPLY=( $(compgen -W ${q(pos.words)} -- "$cur") )`;
    return `      ${c.name}) if [[ $cur == -* ]]; then COMPREPLY=( $(compgen -W ${q(opts)} -- "$cur") ); else ${args || 'COMPREPLY=()'}; fi ;;`;
  });
  return `# bash completion for feishu-events (feishu-events completion bash)
# Load it now: source <(feishu-events completion bash)
# For good:    feishu-events completion bash > ~/.local/share/bash-completion/completions/feishu-events
_feishu_events() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="\${COMP_WORDS[1]}"
  local types=${q(words.types)}
  local samples=${q(words.samples)}
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=( $(compgen -W ${q([...words.commands.map((c) => c.name), 'help', '--help', '--version'])} -- "$cur") )
    return
  fi
  if [[ $cmd == help ]]; then COMPREPLY=( $(compgen -W ${q(words.commands.map((c) => c.name))} -- "$cur") ); return; fi
  case "$prev" in
${valueCases.join('\n')}
  esac
  case "$cmd" in
${commandCases.join('\n')}
  esac
}
complete -o filenames -F _feishu_events feishu-events
`;
}

/** Escape for a zsh _arguments spec inside single quotes: brackets and colons in descriptions. */
function zshText(text: string): string {
  return text.replace(/'/g, `'\\''`).replace(/([[\]:])/g, '\\$1');
}

function zshScript(words: Words): string {
  const list = (items: readonly string[]): string => items.map((i) => `'${zshText(i)}'`).join(' ');
  const commandSpecs = words.commands.map((c) => `'${c.name}:${zshText(c.description)}'`).join(' ');
  const cases = words.commands.map((c) => {
    const specs = c.options.map((o) => {
      const flag = long(o.flags);
      const repeat = o.repeatable ? '*' : '';
      if (!takesValue(o.flags)) return `'${repeat}${flag}[${zshText(o.description)}]'`;
      const name = zshText(/<([^>]+)>/.exec(o.flags)?.[1] ?? 'value');
      const choices = flag === '--format' ? formatChoices(c.name) : CHOICES[flag];
      const action = choices ? `(${choices.join(' ')})` : flag === '--filter' ? '_feishu_events_types' : '_files';
      return `'${repeat}${flag}[${zshText(o.description)}]:${name}:${action}'`;
    });
    const pos = positionals(c.name, words);
    if (pos.kind === 'types+files') specs.push(`'*:input:${c.name === 'replay' ? '_feishu_events_inputs' : '_files'}'`);
    else if (pos.kind === 'types') specs.push(`'*:what:_feishu_events_events_args'`);
    else if (pos.kind === 'words') specs.push(`'*:${c.name === 'completion' ? 'shell' : 'action'}:(${pos.words.join(' ')})'`);
    return `    ${c.name}) _arguments -s ${specs.join(' \\\n      ')} ;;`;
  });
  return `#compdef feishu-events
# zsh completion for feishu-events (feishu-events completion zsh)
# Load it for good: feishu-events completion zsh > "\${fpath[1]}/_feishu-events", then start a new shell
_feishu_events_types() {
  local -a types; types=(${list(words.types)})
  compadd -a types
}
_feishu_events_inputs() {
  local -a samples; samples=(${list(words.samples)})
  _feishu_events_types; compadd -a samples; _files
}
_feishu_events_events_args() {
  compadd show schema; _feishu_events_types
}
_feishu_events() {
  local -a commands; commands=(${commandSpecs} 'help:show help for a command')
  if (( CURRENT == 2 )); then _describe -t commands 'feishu-events command' commands; return; fi
  local cmd=$words[2]
  shift words; (( CURRENT-- ))
  case $cmd in
${cases.join('\n')}
    help) _describe -t commands 'command' commands ;;
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _feishu_events "$@"; else compdef _feishu_events feishu-events; fi
`;
}

function fishText(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function fishScript(words: Words): string {
  const lines = [
    '# fish completion for feishu-events (feishu-events completion fish)',
    '# Load it for good: feishu-events completion fish > ~/.config/fish/completions/feishu-events.fish',
    'complete -c feishu-events -f',
    `set -l __fe_commands ${words.commands.map((c) => c.name).join(' ')} help`,
    `complete -c feishu-events -n "not __fish_seen_subcommand_from $__fe_commands" -a help -d ${fishText('show help for a command')}`,
  ];
  for (const c of words.commands) {
    lines.push(`complete -c feishu-events -n "not __fish_seen_subcommand_from $__fe_commands" -a ${c.name} -d ${fishText(c.description)}`);
    const when = `-n "__fish_seen_subcommand_from ${c.name}"`;
    for (const o of c.options) {
      const flag = long(o.flags).slice(2);
      const choices = long(o.flags) === '--format' ? formatChoices(c.name) : CHOICES[long(o.flags)];
      const values = choices ? ` -x -a ${fishText(choices.join(' '))}` : long(o.flags) === '--filter' ? ` -x -a ${fishText(words.types.join(' '))}` : takesValue(o.flags) ? ' -r -F' : '';
      lines.push(`complete -c feishu-events ${when} -l ${flag}${values} -d ${fishText(o.description)}`);
    }
    const pos = positionals(c.name, words);
    if (pos.kind === 'types+files') lines.push(`complete -c feishu-events ${when} -F${pos.words.length > 0 ? ` -a ${fishText(pos.words.join(' '))}` : ''}`);
    else if (pos.kind !== 'none') lines.push(`complete -c feishu-events ${when} -a ${fishText(pos.words.join(' '))}`);
  }
  lines.push(`complete -c feishu-events -n "__fish_seen_subcommand_from help" -a ${fishText(words.commands.map((c) => c.name).join(' '))}`);
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: Shell, words: Words): string {
  return shell === 'bash' ? bashScript(words) : shell === 'zsh' ? zshScript(words) : fishScript(words);
}

export async function runCompletion(inputs: readonly string[], io: CommandIO): Promise<number> {
  const [shell, ...rest] = inputs;
  if (shell === undefined || rest.length > 0) throw usageError('completion takes one shell: bash, zsh or fish', 'e.g. source <(feishu-events completion bash)');
  if (!(SHELLS as readonly string[]).includes(shell)) throw usageError(`no completion for "${shell}": the shells are bash, zsh and fish`);
  const words: Words = {
    commands: COMMANDS,
    types: listCatalog().map((e) => e.eventType),
    samples: listSamples().map((s) => `${s.eventType}/${s.name}`),
  };
  await writeOut(io.stdout, completionScript(shell as Shell, words));
  return 0;
}
