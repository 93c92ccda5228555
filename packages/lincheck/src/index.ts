export * from './history.js';
export * from './model.js';
export * from './check.js';
