export * from './env/service-env.js';
export * from './dns/dns-config.js';
