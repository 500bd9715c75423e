/**
 * model/, semantics/ and checks/ stay pure: no Node built-ins, no server,
 * logger, schema validator or Kubernetes client. A scan of their imports
 * keeps it so.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const FORBIDDEN = [
  /^node:/,
  /^(fs|path|os|http|https|net|tls|child_process|crypto|url|util|worker_threads|events|stream)(\/|$)/,
  /^fastify/,
  /^@fastify\//,
  /^pino/,
  /^ajv/,
  /^@kubernetes\/client-node/,
  /^prom-client/,
];
const PURE_LAYERS = ['model', 'semantics', 'checks'];
const IMPORT = /(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function filesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesOf(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

for (const layer of PURE_LAYERS) {
  t.test(`${layer}/ imports nothing impure`, async (t) => {
    const files = filesOf(join(SRC, layer));
    t.ok(files.length > 0, `${layer}/ has files`);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(IMPORT)) {
        const spec = (m[1] ?? m[2]) as string;
        t.notOk(
          FORBIDDEN.some((re) => re.test(spec)),
          `${f.slice(SRC.length)} imports ${spec}`,
        );
        if (spec.startsWith('.')) {
          const target = join(f, '..', spec);
          const layerOf = target.slice(SRC.length).split('/')[0];
          t.ok(
            PURE_LAYERS.includes(layerOf as string),
            `${f.slice(SRC.length)} imports only pure layers (${spec})`,
          );
        }
      }
      t.notOk(
        /\bDate\.now\(|new Date\(|performance\.now\(|process\./.test(text),
        `${f.slice(SRC.length)} reads no clock or process`,
      );
    }
  });
}

t.test('the check fails on an impure import (self-test)', async (t) => {
  t.ok(FORBIDDEN.some((re) => re.test('node:fs')));
  t.ok(FORBIDDEN.some((re) => re.test('fs/promises')));
  t.ok(FORBIDDEN.some((re) => re.test('@kubernetes/client-node')));
  t.notOk(FORBIDDEN.some((re) => re.test('yaml')));
});
