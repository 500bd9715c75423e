import { ManifestError } from '../parse/errors.js';
import { ConfigError } from '../parse/config.js';

/** Errors caused by the user's input (manifests, configuration): exit 2 with their message. */
export function isInputError(e: unknown): e is Error {
  return e instanceof ManifestError || e instanceof ConfigError;
}
