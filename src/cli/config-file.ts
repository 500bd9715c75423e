import { readFile } from 'node:fs/promises';
import { defaultConfig } from '../checks/defaults.js';
import type { PreflightConfig } from '../model/config.js';
import { parseConfigText } from '../parse/config.js';
import { UsageError } from './io.js';

/** The configuration file named by `--config`, validated; the defaults without one. */
export async function loadConfigFile(file: string | undefined): Promise<PreflightConfig> {
  if (file === undefined) return defaultConfig();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(
      `cannot read --config ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return parseConfigText(text, file);
}
