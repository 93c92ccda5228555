export { Agent, type LogsRequest } from './shell/agent.js';
export { type AgentOptions, resolveOptions } from './config.js';
export * from './source.js';
export * from './errors.js';
export { MemoryAgentSource, MemoryAgentSink } from './memory-source.js';
export { decidePod, type DecideInput } from './core/decide-pod.js';
export { orphanPlan, type OrphanAction } from './core/orphans.js';
export { restartDelayMs, restartAt } from './core/backoff.js';
export * from './core/types.js';
