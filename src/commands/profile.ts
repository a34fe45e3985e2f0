// `feishu-events profile add|list|use|remove`: named app settings in the user's config directory (mode 0600).
import { UserError, usageError } from '../errors.js';
import { oneOf, str } from '../flags.js';
import type { CommandIO } from '../io.js';
import { writeOut } from '../report/stream-writer.js';
import { BRANDS, configFile, PROFILE_FIELDS, PROFILE_NAME, readProfileConfig, writeProfileConfig, type Profile } from '../profiles.js';
import { APP_ID_PATTERN, resolveDomain } from '../tail/discovery.js';

const ACTIONS_HINT = 'feishu-events profile add <name> --app-id … --app-secret … | list | use <name> | remove <name>';

async function readStdin(io: CommandIO): Promise<string> {
  let text = '';
  for await (const chunk of io.stdin) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
  return text.replace(/\r?\n$/, '');
}

function checkName(name: string | undefined, action: string): string {
  if (name === undefined) throw usageError(`profile ${action} needs a name`, ACTIONS_HINT);
  if (!PROFILE_NAME.test(name)) throw usageError(`profile name "${name}": use letters, digits, . _ - (at most 64, starting with a letter or digit)`);
  return name;
}

/** The values `add` was given; `-` reads one secret from stdin, so that it stays out of the shell's history. */
async function givenFields(flags: Record<string, unknown>, io: CommandIO): Promise<Profile> {
  const given: Profile = {};
  const fromStdin = PROFILE_FIELDS.filter(({ key }) => key !== 'brand' && str(flags[camel(key)]) === '-');
  if (fromStdin.length > 1) throw usageError(`only one value can come from stdin, got - for ${fromStdin.map((f) => f.flag).join(' and ')}`);
  for (const field of PROFILE_FIELDS) {
    let value = str(flags[camel(field.key)]);
    if (value === undefined) continue;
    if (value === '-' && field.key !== 'brand') value = await readStdin(io);
    if (value === '') throw usageError(`${field.flag} is empty`);
    (given as Record<string, string>)[field.key] = value;
  }
  if (given.brand !== undefined) given.brand = oneOf('--brand', given.brand, BRANDS, 'feishu');
  if (given.app_id !== undefined && !APP_ID_PATTERN.test(given.app_id)) throw usageError(`--app-id: "${given.app_id}" is not an app id (cli_ followed by 16 hex digits)`);
  if (given.domain !== undefined) resolveDomain(given.domain);
  return given;
}

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function describeProfile(profile: Profile): string {
  const parts = [profile.brand ?? (profile.domain === undefined ? 'feishu' : ''), profile.domain ?? ''].filter(Boolean);
  if (profile.app_id) parts.push(profile.app_id);
  return parts.join(', ');
}

async function add(name: string, flags: Record<string, unknown>, io: CommandIO, file: string): Promise<number> {
  const given = await givenFields(flags, io);
  if (Object.keys(given).length === 0) throw usageError(`profile add ${name}: nothing to store`, 'e.g. feishu-events profile add test --brand feishu --app-id cli_… --app-secret -');
  const config = readProfileConfig(file);
  const existed = config.profiles[name] !== undefined;
  const profile: Profile = { ...config.profiles[name], ...given };
  config.profiles[name] = profile;
  const becameCurrent = config.current === undefined || config.profiles[config.current] === undefined;
  if (becameCurrent) config.current = name;
  writeProfileConfig(file, config);
  await writeOut(io.stdout, `${existed ? 'updated' : 'added'} profile ${name} (${describeProfile(profile)})${becameCurrent ? ', the default now' : ''}\n`);
  await writeOut(io.stderr, `feishu-events: saved in ${file} (readable by you only)\n`);
  return 0;
}

async function list(flags: Record<string, unknown>, io: CommandIO, file: string): Promise<number> {
  const config = readProfileConfig(file);
  const names = Object.keys(config.profiles).sort();
  if (flags.json === true) {
    const lines = names.map((name) => {
      const profile = config.profiles[name] as Profile;
      const entry: Record<string, unknown> = { name, current: name === config.current };
      for (const { key, secret } of PROFILE_FIELDS) entry[secret ? `${key}_set` : key] = secret ? profile[key] !== undefined : (profile[key] ?? null);
      return `${JSON.stringify(entry)}\n`;
    });
    await writeOut(io.stdout, lines.join(''));
    return 0;
  }
  if (names.length === 0) {
    await writeOut(io.stderr, `feishu-events: no profiles yet (${file}); add one: feishu-events profile add test --app-id cli_… --app-secret -\n`);
    return 0;
  }
  const rows = names.map((name) => {
    const profile = config.profiles[name] as Profile;
    const secrets = PROFILE_FIELDS.filter((f) => f.secret).map(({ key }) => `${key.replace(/_/g, ' ')}: ${profile[key] !== undefined ? 'set' : '-'}`);
    return [name === config.current ? '*' : ' ', name, profile.brand ?? '-', profile.domain ?? (profile.brand ?? 'feishu'), profile.app_id ?? '-', secrets.join(', ')];
  });
  const header = [' ', 'NAME', 'BRAND', 'DOMAIN', 'APP ID', 'SECRETS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ').trimEnd();
  await writeOut(io.stdout, `${[header, ...rows].map(line).join('\n')}\n`);
  return 0;
}

async function use(name: string, io: CommandIO, file: string): Promise<number> {
  const config = readProfileConfig(file);
  if (config.profiles[name] === undefined) throw missing(name, config.profiles, file);
  config.current = name;
  writeProfileConfig(file, config);
  await writeOut(io.stdout, `using profile ${name} (${describeProfile(config.profiles[name] as Profile)}) from now on\n`);
  return 0;
}

async function remove(name: string, io: CommandIO, file: string): Promise<number> {
  const config = readProfileConfig(file);
  if (config.profiles[name] === undefined) throw missing(name, config.profiles, file);
  delete config.profiles[name];
  const wasCurrent = config.current === name;
  if (wasCurrent) delete config.current;
  writeProfileConfig(file, config);
  await writeOut(io.stdout, `removed profile ${name}${wasCurrent ? '; no default profile now (profile use <name> picks one)' : ''}\n`);
  return 0;
}

function missing(name: string, profiles: Record<string, Profile>, file: string): UserError {
  const known = Object.keys(profiles);
  return usageError(`no profile "${name}"${known.length > 0 ? ` (there are: ${known.join(', ')})` : ` in ${file}`}`, 'feishu-events profile list shows them');
}

export async function runProfile(actions: string[], flags: Record<string, unknown>, io: CommandIO): Promise<number> {
  const [action, name, ...rest] = actions;
  const file = configFile(io.env);
  if (action === 'list' || action === undefined) {
    if (name !== undefined) throw usageError(`profile list takes no arguments, got "${actions.slice(1).join(' ')}"`);
    return list(flags, io, file);
  }
  if (rest.length > 0) throw usageError(`profile ${action} takes one name, got "${actions.slice(1).join(' ')}"`);
  if (action === 'add') return add(checkName(name, action), flags, io, file);
  if (action === 'use') return use(checkName(name, action), io, file);
  if (action === 'remove' || action === 'rm') return remove(checkName(name, action), io, file);
  throw usageError(`unknown profile action "${action}"`, ACTIONS_HINT);
}
