export { ShoalDaemon, bootstrapVoters, SHOAL_VERSION, type DaemonOptions } from './daemon.js';
export { loadConfig, parseConfig, ConfigError, PROFILE_TIMING, type DaemonConfig, type NodeSettings, type Timing } from './config.js';
export { StoreStateMachine } from './store-state-machine.js';
