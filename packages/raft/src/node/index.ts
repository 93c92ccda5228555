export * from './byte-codec.js';
export * from './codec.js';
export * from './log-store.js';
export * from './memory-log-store.js';
export * from './transport.js';
export * from './memory-transport.js';
export * from './state-machine.js';
export * from './errors.js';
