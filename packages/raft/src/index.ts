export * from './types.js';
export * from './core/index.js';
export * from './sim/index.js';
export * from './node/index.js';
