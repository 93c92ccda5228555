export * from './types.js';
export { schedule, checkBinding, checkBindings, feasibleNodesToFind, Scheduler, type BindingCheck } from './schedule.js';
export { failureMessage } from './failure-message.js';
export { REASON } from './filters.js';
export { podRequests, nodeAllocatable, type Resources, type Allocatable } from './resources.js';
export { toleratesTaint, isTolerated, firstUntoleratedTaint } from './taints.js';
export { matchesNodeRequirements, matchesNodeSelectorTerm } from './node-affinity.js';
export { VOLUME_NODE_ANNOTATION, volumeId, dockerVolumeName, claimsOf } from './volumes.js';
