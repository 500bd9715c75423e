/** The public surface of the live cluster state source. */

export {
  createLiveStateSource,
  type LiveResourceStatus,
  type LiveStateSource,
  type LiveStateSourceOptions,
} from './live-source.js';
export { loadKubeConfig, describeServer } from './kube-config.js';
export { RESOURCE_NAMES, RESOURCE_DEFINITIONS, type ResourceName } from './resources.js';
export { DEFAULT_BACKOFF, computeBackoffDelay, type BackoffPolicy } from './backoff.js';
export { systemClock, type Clock, type CancelTimer } from './clock.js';
export {
  ApiRequestError,
  ApiResponseError,
  ApiStatusError,
  KubeConfigError,
  LiveSourceError,
  WatchEventError,
  isResourceExpired,
  type LiveSourceErrorCode,
} from './errors.js';
