export * from './types.js';
export * from './cluster.js';
