import { loadSettingSources, resolveSetting } from '../config.js';
import { usageError } from '../errors.js';
import { oneOf, str } from '../flags.js';
import { maxEventSize } from '../limits.js';
import type { CommandIO } from '../io.js';
import type { StopSignal } from '../stop.js';
import type { ValidateFormat } from '../report/validate-reporter.js';
import { clockMs, validate, type ValidateOptions } from '../services/validate.js';
import type { UnknownTypeLevel } from '../validate/types.js';

const UNKNOWN_TYPE_LEVELS: readonly UnknownTypeLevel[] = ['error', 'warn', 'ignore'];
export const VALIDATE_FORMATS: readonly ValidateFormat[] = ['pretty', 'json', 'junit', 'github'];

/** Flags + environment + .env + profile → a complete, checked options object. */
export function resolveValidateOptions(inputs: string[], flags: Record<string, unknown>, io: CommandIO): ValidateOptions {
  if (inputs.length === 0) {
    throw usageError('validate needs at least one input: a .json or .ndjson file, a directory, or - for stdin', 'e.g. feishu-events validate captured/');
  }
  const sources = loadSettingSources(flags, io);
  const encryptKey = resolveSetting(str(flags.encryptKey), 'FEISHU_ENCRYPT_KEY', sources, '').value;
  const schemaFile = str(flags.schema);
  const schemasDir = str(flags.schemas);
  if (schemaFile !== undefined && schemasDir !== undefined) {
    throw usageError('--schema and --schemas cannot be used together', '--schema checks every event against one schema; --schemas adds schemas by event type');
  }
  const answerType = str(flags.answer);
  if (answerType !== undefined && schemaFile !== undefined) {
    throw usageError('--answer and --schema cannot be used together', '--answer checks every input against the answer schema of one callback type');
  }
  return {
    inputs,
    encryptKey: encryptKey === '' ? undefined : encryptKey,
    schemaFile,
    schemasDir,
    answerType,
    unknownType: oneOf('--unknown-type', str(flags.unknownType), UNKNOWN_TYPE_LEVELS, 'warn'),
    strict: flags.strict === true,
    format: oneOf('--format', str(flags.format), VALIDATE_FORMATS, 'pretty'),
    maxEventBytes: maxEventSize(str(flags.maxEventSize)),
    allowEmpty: flags.allowEmpty === true,
  };
}

export async function runValidate(inputs: string[], flags: Record<string, unknown>, io: CommandIO, signal?: StopSignal): Promise<number> {
  const startedAt = clockMs();
  const options = resolveValidateOptions(inputs, flags, io);
  return validate(options, io, startedAt, signal);
}
