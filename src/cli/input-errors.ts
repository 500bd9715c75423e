import { ManifestError } from '../parse/errors.js';
import { ConfigError } from '../parse/config.js';

/**
 * Errors caused by the user's input (manifests, configuration, certificate
 * files, kubeconfig): exit 2 with their message. Recognised by their stable
 * `code`, so this module does not load the server's modules.
 */
const INPUT_ERROR_CODES = new Set(['ERR_TLS_MATERIAL', 'E_KUBECONFIG']);

export function isInputError(e: unknown): e is Error {
  if (e instanceof ManifestError || e instanceof ConfigError) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && typeof code === 'string' && INPUT_ERROR_CODES.has(code);
}
