import { openSchemaCatalog } from '../catalog/schemas.js';
import { loadDotenv, resolveSetting } from '../config.js';
import { ExitCode, usageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { prettyValidateReporter } from '../report/validate-pretty.js';
import type { ValidateFormat, ValidateReporter } from '../report/validate-reporter.js';
import { validateEvents } from '../validate/run.js';
import type { UnknownTypeLevel } from '../validate/types.js';

export interface ValidateOptions {
  inputs: string[];
  encryptKey: string | undefined;
  schemaFile: string | undefined;
  schemasDir: string | undefined;
  unknownType: UnknownTypeLevel;
  strict: boolean;
  format: ValidateFormat;
}

const UNKNOWN_TYPE_LEVELS: readonly UnknownTypeLevel[] = ['error', 'warn', 'ignore'];
export const VALIDATE_FORMATS: readonly ValidateFormat[] = ['pretty', 'json', 'junit', 'github'];

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function oneOf<T extends string>(flag: string, raw: string | undefined, allowed: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw usageError(`${flag} must be one of ${allowed.join(', ')}, got "${raw}"`);
}

/** Flags + environment + .env → a complete, checked options object. */
export function resolveValidateOptions(inputs: string[], flags: Record<string, unknown>, io: CommandIO): ValidateOptions {
  if (inputs.length === 0) {
    throw usageError('validate needs at least one input: a .json or .ndjson file, a directory, or - for stdin', 'e.g. feishu-events validate captured/');
  }
  const sources = { env: io.env, dotenv: loadDotenv(io.cwd) };
  const encryptKey = resolveSetting(str(flags.encryptKey), 'FEISHU_ENCRYPT_KEY', sources, '').value;
  const schemaFile = str(flags.schema);
  const schemasDir = str(flags.schemas);
  if (schemaFile !== undefined && schemasDir !== undefined) {
    throw usageError('--schema and --schemas cannot be used together', '--schema checks every event against one schema; --schemas adds schemas by event type');
  }
  return {
    inputs,
    encryptKey: encryptKey === '' ? undefined : encryptKey,
    schemaFile,
    schemasDir,
    unknownType: oneOf('--unknown-type', str(flags.unknownType), UNKNOWN_TYPE_LEVELS, 'warn'),
    strict: flags.strict === true,
    format: oneOf('--format', str(flags.format), VALIDATE_FORMATS, 'pretty'),
  };
}

/** A progress line on stderr, only on a terminal and only once a run has taken a while. */
function progressLine(stderr: CommandIO['stderr'], now: () => number): { update(checked: number, invalid: number): void; clear(): void } | undefined {
  if (!stderr.isTTY) return undefined;
  const startedAt = now();
  let lastDrawn = 0;
  let shown = false;
  return {
    update(checked, invalid) {
      const t = now();
      if (t - startedAt < 500 || t - lastDrawn < 200) return;
      lastDrawn = t;
      shown = true;
      stderr.write(`\r\x1b[Kvalidating… ${checked.toLocaleString('en-US')} events checked, ${invalid.toLocaleString('en-US')} invalid`);
    },
    clear() {
      if (shown) stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** Write to a stream, waiting for 'drain' when it is full, so a slow reader keeps memory flat. */
function streamWriter(stream: CommandIO['stdout']): { write(text: string): Promise<void>; dispose(): void } {
  let failure: Error | undefined;
  const onError = (error: Error): void => {
    failure = error;
  };
  stream.on('error', onError);
  return {
    write(text) {
      if (failure) return Promise.reject(failure);
      if (stream.write(text)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const done = (error?: Error): void => {
          stream.off('drain', done);
          stream.off('error', done);
          if (error) reject(error);
          else resolve();
        };
        stream.on('drain', done);
        stream.on('error', done);
      });
    },
    dispose() {
      stream.off('error', onError);
    },
  };
}

/** The reporter of a format: only its module is loaded, and chalk only for colour on a terminal (or forced). */
async function createReporter(format: ValidateFormat, io: CommandIO): Promise<ValidateReporter> {
  switch (format) {
    case 'json': {
      const { jsonValidateReporter } = await import('../report/validate-json.js');
      return jsonValidateReporter();
    }
    case 'junit': {
      const { junitValidateReporter } = await import('../report/validate-junit.js');
      return junitValidateReporter();
    }
    case 'github': {
      const { githubValidateReporter } = await import('../report/validate-github.js');
      return githubValidateReporter(io.cwd);
    }
    default: {
      // The default format is loaded with this module (in parallel with the rest), not after it.
      if (!io.stdout.isTTY && io.env.FORCE_COLOR === undefined) return prettyValidateReporter();
      const { colorLevel, makeChalk } = await import('../report/color.js');
      const level = colorLevel(io.stdout, io.env);
      return prettyValidateReporter(level > 0 ? await makeChalk(level) : undefined);
    }
  }
}

/** node:crypto is loaded only when there is a key to decrypt with. */
async function decrypterFor(encryptKey: string | undefined): Promise<((encrypted: string) => string) | undefined> {
  if (encryptKey === undefined) return undefined;
  const { decrypt } = await import('../protocol/crypto.js');
  return (encrypted) => decrypt(encrypted, encryptKey);
}

export async function runValidate(inputs: string[], flags: Record<string, unknown>, io: CommandIO): Promise<number> {
  const startedAt = performance.now();
  const options = resolveValidateOptions(inputs, flags, io);
  const warn = (message: string): void => {
    io.stderr.write(`feishu-events: warning: ${message}\n`);
  };
  const catalog = await openSchemaCatalog({ strict: options.strict, schemaFile: options.schemaFile, schemasDir: options.schemasDir, warn });
  const reporter = await createReporter(options.format, io);
  const decrypt = await decrypterFor(options.encryptKey);
  const progress = progressLine(io.stderr, () => performance.now());
  if (options.inputs.includes('-') && (io.stdin as { isTTY?: boolean }).isTTY) warn('reading events from stdin (end with Ctrl-D)');
  const out = streamWriter(io.stdout);
  try {
    const summary = await validateEvents({
      inputs: options.inputs,
      catalog,
      decrypt,
      unknownType: options.unknownType,
      reporter,
      stdin: io.stdin,
      write: (text) => {
        // The progress line shares the terminal only when stdout is one too.
        if (io.stdout.isTTY) progress?.clear();
        return out.write(text);
      },
      progress: progress ? (checked, invalid) => progress.update(checked, invalid) : undefined,
      startedAt,
    });
    if (summary.checked === 0) warn(`no events in ${options.inputs.join(', ')}`);
    return summary.invalid > 0 ? ExitCode.findings : ExitCode.ok;
  } finally {
    progress?.clear();
    out.dispose();
  }
}
