export * from './core/types.js';
export { resolveConfig, profiles, type GossipConfig, type GossipProfile } from './core/config.js';
export { seededRand, type Rand } from './core/rand.js';
export { Swim, type SwimOptions } from './core/swim.js';
export { suspicionTimeout, suspicionBounds } from './core/suspicion.js';
export * from './node-meta.js';
export * from './errors.js';
