/**
 * Where `serve` listens by default. A module of its own, without imports, so that the CLI can
 * print its help without loading the server.
 */
export const DEFAULT_PORT = 8443;
export const DEFAULT_HOST = '0.0.0.0';
