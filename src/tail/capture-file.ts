import { open as openFile } from 'node:fs/promises';
import { ExitCode, UserError } from '../errors.js';

/** The part of a FileHandle the capture file uses: a test can hand in one that writes short or fails. */
export interface CaptureHandle {
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

/** Appending a line failed: nothing of it is left in the file. `cause` is the system error (ENOSPC…). */
export class SaveError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined, cause: unknown) {
    super(message, { cause });
    this.name = 'SaveError';
    this.code = code;
  }
}

/** An NDJSON file that only ever holds whole lines: a line is either on disk entirely (and synced) or not at all. */
export interface CaptureFile {
  readonly path: string;
  /** Append one line (a newline is added), sync it; rejects with a SaveError after removing whatever part was written. */
  append(line: string): Promise<void>;
  close(): Promise<void>;
}

const REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file is too large',
  EIO: 'an I/O error',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** `the disk is full (ENOSPC)`. */
export function describeSaveFailure(error: unknown): string {
  const code = codeOf(error);
  if (code === undefined) return error instanceof Error ? error.message : String(error);
  return `${REASONS[code] ?? 'cannot write'} (${code})`;
}

/** Open (create) the file for appending; a path that cannot be written is a one-line usage error, before anything connects. */
export async function openCaptureFile(path: string, open: (path: string) => Promise<CaptureHandle> = (p) => openFile(p, 'a')): Promise<CaptureFile> {
  let handle: CaptureHandle;
  let size: number;
  try {
    handle = await open(path);
    size = (await handle.stat()).size;
  } catch (error) {
    throw new UserError(`--save ${path}: cannot write there: ${describeSaveFailure(error)}`, { exitCode: ExitCode.usage, cause: error });
  }
  // Appends run one after another: a failed one is cut back to the end of the line before it.
  let queue: Promise<unknown> = Promise.resolve();
  let closed: Promise<void> | undefined;

  const appendNow = async (line: string): Promise<void> => {
    const bytes = Buffer.from(`${line}\n`, 'utf8');
    let written = 0;
    try {
      while (written < bytes.length) {
        // A short write is not an error yet: the rest is tried once more, and a write that makes no progress is one.
        const { bytesWritten } = await handle.write(bytes, written, bytes.length - written);
        if (!(bytesWritten > 0)) throw Object.assign(new Error('a write made no progress'), { code: 'ENOSPC' });
        written += bytesWritten;
      }
      await handle.datasync();
    } catch (error) {
      // Leave only whole lines behind, so that the file stays valid NDJSON and nothing half-saved looks saved.
      let cleanup = '';
      try {
        await handle.truncate(size);
      } catch (truncateError) {
        cleanup = `; and the partly written line could not be removed: ${describeSaveFailure(truncateError)}`;
      }
      throw new SaveError(`cannot save to ${path}: ${describeSaveFailure(error)}${cleanup}`, codeOf(error), error);
    }
    size += bytes.length;
  };

  return {
    path,
    append(line) {
      const result = queue.then(() => appendNow(line));
      queue = result.catch(() => {});
      return result;
    },
    close() {
      closed ??= queue.then(() => handle.close());
      return closed;
    },
  };
}
