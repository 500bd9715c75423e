import { Option, type Command } from 'commander';
import { loadManifests } from '../../cluster/manifest-files.js';
import type { ClusterSnapshot, Protocol } from '../../model/records.js';
import type { ExplainQuery } from '../../report/explain-report.js';
import { explainToJson, renderExplainText } from '../../report/explain-report.js';
import type { EndpointSpec } from '../../semantics/classes.js';
import { buildClassIndex } from '../../semantics/classes.js';
import { collectIpBlockSets, compilePolicy } from '../../semantics/compile.js';
import { findEndpoint, findEndpointByAddress } from '../../semantics/endpoints.js';
import type { PeerEndpoint } from '../../semantics/evaluate.js';
import { createEvaluator } from '../../semantics/evaluate.js';
import { explainConnection } from '../../semantics/explain.js';
import { parseAddress } from '../../semantics/ip-set.js';
import type { CliIo } from '../io.js';
import { EXIT, UsageError } from '../io.js';

interface ExplainOptions {
  readonly state: string[];
  readonly from: string;
  readonly to: string;
  readonly port?: string;
  readonly output: 'text' | 'json';
}

function parsePort(text: string | undefined): ExplainQuery['port'] {
  if (text === undefined) return null;
  const m = /^(\d{1,5})(?:\/(TCP|UDP|SCTP))?$/i.exec(text);
  const port = m ? Number(m[1]) : NaN;
  if (!m || port < 1 || port > 65535)
    throw new UsageError(`--port expects PORT[/TCP|UDP|SCTP] with PORT 1-65535, got "${text}"`);
  return { port, protocol: (m[2] ?? 'TCP').toUpperCase() as Protocol };
}

type Resolved =
  | { readonly label: string; readonly spec: EndpointSpec }
  | { readonly label: string; readonly address: string };

function resolveRef(snapshot: ClusterSnapshot, ref: string, option: string, allowAddress: boolean): Resolved {
  if (allowAddress && parseAddress(ref)) {
    const pod = findEndpointByAddress(snapshot, ref);
    return pod ? { label: `${pod.id} (${ref})`, spec: pod } : { label: `${ref}[External]`, address: ref };
  }
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(ref);
  if (!m)
    throw new UsageError(
      `${option} expects NAMESPACE/NAME${allowAddress ? ' or an IP address' : ''}, got "${ref}"`,
    );
  const spec = findEndpoint(snapshot, m[1] as string, m[2] as string);
  if (!spec)
    throw new UsageError(
      `${option} ${ref}: no pod or workload named ${m[2]} in namespace ${m[1]} in the state`,
    );
  return { label: spec.id, spec };
}

export function registerExplain(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('explain')
    .description('explain whether one connection is allowed, and which policies and rules decide it')
    .requiredOption('--state <path...>', 'manifests of the cluster state (files or directories)')
    .requiredOption('--from <ns/name>', 'source pod or workload')
    .requiredOption('--to <ns/name|ip>', 'destination pod or workload, or an IP address')
    .option('--port <port[/proto]>', 'destination port, e.g. 53/UDP (protocol defaults to TCP)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: ExplainOptions) => {
      const port = parsePort(opts.port);
      const { snapshot } = await loadManifests(opts.state);
      const src = resolveRef(snapshot, opts.from, '--from', false);
      const dst = resolveRef(snapshot, opts.to, '--to', true);
      const policies = snapshot.policies.map((p) => compilePolicy(p));
      const specs = [src, dst].flatMap((r) => ('spec' in r ? [r.spec] : []));
      const index = buildClassIndex(specs, snapshot.namespaces, collectIpBlockSets(policies));
      const peerOf = (r: Resolved, i: number): PeerEndpoint => {
        if ('address' in r) {
          const a = parseAddress(r.address)!;
          return { kind: 'external', atom: { family: a.family, lo: a.value, hi: a.value } };
        }
        const e = index.endpoints[i]!;
        return { kind: 'class', cls: index.classes[e.classIds[0]!]! };
      };
      const evidence = explainConnection(
        createEvaluator(policies),
        peerOf(src, 0),
        peerOf(dst, 'spec' in src ? 1 : 0),
      );
      const query: ExplainQuery = { from: src.label, to: dst.label, port };
      io.stdout(
        opts.output === 'json'
          ? `${JSON.stringify(explainToJson(query, evidence), null, 2)}\n`
          : renderExplainText(query, evidence),
      );
      setExit(EXIT.ok);
    });
}
