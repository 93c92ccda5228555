export * from './client.js';
export * from './errors.js';
export type * from './handlers.js';
export * from './informer.js';
export * from './proto.js';
export * from './server-pool.js';
export * from './status.js';
export * from './watch.js';
export type * as wire from './wire.js';
