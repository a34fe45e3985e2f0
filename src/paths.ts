import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * The installed package's root: this file is dist/src/paths.js, or part of a file in dist/bundle/ (as deep), so
 * every path the package ships is found from here, never from a module's own place.
 */
export const packageRoot: string =
  // In the CommonJS bundle, __dirname is dist/bundle: found without building two URLs at every start (~0.35 ms).
  typeof __dirname === 'string' ? join(__dirname, '../../') : fileURLToPath(new URL('../../', import.meta.url));
export const samplesDir: string = join(packageRoot, 'samples');
export const schemasDir: string = join(packageRoot, 'schemas');
export const validatorsDir: string = join(packageRoot, 'dist', 'src', 'validators');
/** The bundled samples' listing, written by the build (scripts/bundle.js): one file to read instead of 237 folders. */
export const samplesIndexFile: string = join(packageRoot, 'dist', 'bundle', 'samples.json');
