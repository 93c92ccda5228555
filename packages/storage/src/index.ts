export * from './level-log-store.js';
export * from './errors.js';
