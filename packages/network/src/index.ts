export * from './env/service-env.js';
export * from './dns/dns-config.js';
export * from './dns/message.js';
export * from './dns/cluster-records.js';
export * from './dns/responder.js';
export * from './dns/resolv-conf.js';
export * from './dns/forwarder.js';
export * from './dns/dns-server.js';
