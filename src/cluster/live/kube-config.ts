/** Builds the KubeConfig the live source talks through. */

import { KubeConfig } from '@kubernetes/client-node';
import { KubeConfigError, describeError } from './errors.js';

/**
 * From `file` when given; else the in-cluster service account when running in a pod
 * (KUBERNETES_SERVICE_HOST is set); else client-node's default discovery ($KUBECONFIG,
 * ~/.kube/config, in-cluster). Throws KubeConfigError when nothing usable is found.
 */
export function loadKubeConfig(file?: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  const source = file ?? null;
  try {
    if (file !== undefined) kubeConfig.loadFromFile(file);
    else if (process.env['KUBERNETES_SERVICE_HOST'] !== undefined) kubeConfig.loadFromCluster();
    else kubeConfig.loadFromDefault();
  } catch (cause) {
    throw new KubeConfigError(source, `cannot be loaded: ${describeError(cause)}`, { cause });
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) throw new KubeConfigError(source, 'has no current context with a cluster');
  if (cluster.server === '') throw new KubeConfigError(source, `cluster ${cluster.name} has no server URL`);
  return kubeConfig;
}

/** The API server URL of the current cluster, for logs (never credentials). */
export function describeServer(kubeConfig: KubeConfig): string {
  return kubeConfig.getCurrentCluster()?.server ?? '(no current cluster)';
}
