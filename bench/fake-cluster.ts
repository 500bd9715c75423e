/**
 * The generated cluster served by the test suite's fake API server (list with pagination, watch),
 * so the state benchmark syncs it through the live source exactly as from a real API server.
 * Runs in a child process of its own: its heap (every object, as stored by the server) is never
 * counted in the webhook's.
 */
import { FakeApiServer } from '../test/support/fake-apiserver.js';
import { sendToParent, stopRequested } from './child-io.js';
import { BenchUsageError } from './errors.js';
import { generateCluster, type RawObject } from './generator.js';
import { readString, type JsonRecord } from './guards.js';
import { BENCH_SIZES, isSizeName, type SizeName } from './sizes.js';

/** The API resource of each kind the generator makes. */
const RESOURCE_OF_KIND: Readonly<Record<string, string>> = {
  Namespace: 'namespaces',
  Pod: 'pods',
  Service: 'services',
  NetworkPolicy: 'networkpolicies',
  Deployment: 'deployments',
  ReplicaSet: 'replicasets',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  ReplicationController: 'replicationcontrollers',
  Job: 'jobs',
  CronJob: 'cronjobs',
};

export interface ServedCluster {
  readonly server: FakeApiServer;
  readonly objects: number;
  readonly pods: number;
  /** Seconds spent generating and storing the objects. */
  readonly loadSeconds: number;
}

function resourceOf(object: RawObject): string {
  const resource = RESOURCE_OF_KIND[object.kind];
  if (resource === undefined) throw new TypeError(`the generator made a ${object.kind}, unknown here`);
  return resource;
}

/** Starts a fake API server on 127.0.0.1 holding the generated cluster of `size`. */
export async function serveGeneratedCluster(size: SizeName): Promise<ServedCluster> {
  const started = performance.now();
  const server = await FakeApiServer.start();
  const cluster = generateCluster(BENCH_SIZES[size]);
  for (const object of cluster.objects) server.apply(resourceOf(object), object);
  return {
    server,
    objects: cluster.objects.length,
    pods: cluster.podCount,
    loadSeconds: (performance.now() - started) / 1000,
  };
}

/** The `fake-apiserver` child role: serves the cluster of `size` until told to stop. */
export async function fakeApiServerRole(args: JsonRecord): Promise<void> {
  const size = readString(args, 'size');
  if (!isSizeName(size)) throw new BenchUsageError(`unknown size ${size}`);
  const served = await serveGeneratedCluster(size);
  await sendToParent({
    type: 'ready',
    kubeConfigYaml: served.server.kubeConfigYaml(),
    objects: served.objects,
    pods: served.pods,
    load_s: Number(served.loadSeconds.toFixed(3)),
  });
  await stopRequested();
  await served.server.close();
}
