import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The installed package's root (this file is dist/src/paths.js). */
export const packageRoot: string = fileURLToPath(new URL('../../', import.meta.url));
export const samplesDir: string = join(packageRoot, 'samples');
export const schemasDir: string = join(packageRoot, 'schemas');
