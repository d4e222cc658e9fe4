import { type Config, loadConfig } from '../core/config/index.ts';
import { isAppError } from '../core/errors.ts';

/** Loads the config; on a config error prints its message (which names the key and the fix) and exits 2. */
export function loadConfigOrExit(file: string | undefined): Config {
  try {
    return loadConfig(file ? { file } : {});
  } catch (err) {
    if (isAppError(err)) {
      process.stderr.write(`mm365: ${err.message}\n(${err.code})\n`);
      process.exit(2);
    }
    throw err;
  }
}
