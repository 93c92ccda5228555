/** Test doubles for code that talks to Shoal: `@shoal/client/testing`. */
export * from './memory-shoal-server.js';
export * from './memory-object-store.js';
export * from './field-selector.js';
