export * from './types.js';
export * from './node/index.js';
