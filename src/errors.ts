/** Exit codes shared by every command. */
export const ExitCode = {
  ok: 0,
  findings: 1,
  usage: 2,
  /** A bug: an error nobody expected (the entry point prints its stack). */
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A failure the user can act on: printed as one line (plus an optional hint), never with a stack.
 * Only the entry point prints it and turns it into an exit code.
 */
export class UserError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  constructor(message: string, options: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.exitCode = options.exitCode ?? ExitCode.usage;
    this.hint = options.hint;
  }
}

export function usageError(message: string, hint?: string): UserError {
  return new UserError(message, { exitCode: ExitCode.usage, hint });
}

/** How a file that cannot be read is described, everywhere: `path: no such file or directory`, exit 2. */
export function describeFsError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `${path}: no such file or directory`;
  if (code === 'EACCES' || code === 'EPERM') return `${path}: permission denied`;
  if (code === 'EISDIR') return `${path}: is a directory`;
  if (code === 'ENOTDIR') return `${path}: not a directory`;
  return `${path}: cannot read (${code ?? (error instanceof Error ? error.message : String(error))})`;
}

/** A file that cannot be read, as a user error (exit 2). */
export function fileError(path: string, error: unknown): UserError {
  return new UserError(describeFsError(path, error), { exitCode: ExitCode.usage, cause: error });
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
