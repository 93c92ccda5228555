export * from './types.js';
export * from './cluster.js';
export * from './quantity.js';
export * from './names.js';
export * from './label-selector.js';
