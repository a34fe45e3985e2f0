import type { CommandIO } from '../io.js';
import { prettyValidateReporter } from './validate-pretty.js';
import type { ValidateFormat, ValidateReporter } from './validate-reporter.js';

/** The reporter of a format: only its module is loaded, and chalk only for colour on a terminal (or forced). */
export async function createValidateReporter(format: ValidateFormat, io: CommandIO): Promise<ValidateReporter> {
  switch (format) {
    case 'json': {
      const { jsonValidateReporter } = await import('./validate-json.js');
      return jsonValidateReporter();
    }
    case 'junit': {
      const { junitValidateReporter } = await import('./validate-junit.js');
      return junitValidateReporter();
    }
    case 'github': {
      const { githubValidateReporter } = await import('./validate-github.js');
      return githubValidateReporter(io.cwd);
    }
    default: {
      // The default format is loaded with this module (in parallel with the rest), not after it.
      if (!io.stdout.isTTY && io.env.FORCE_COLOR === undefined) return prettyValidateReporter();
      const { colorLevel, makeChalk } = await import('./color.js');
      const level = colorLevel(io.stdout, io.env);
      return prettyValidateReporter(level > 0 ? await makeChalk(level) : undefined);
    }
  }
}
