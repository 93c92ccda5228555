export { SeededRand } from './prng.js';
export { SimNetwork, RELIABLE, UNRELIABLE, type NetworkFaults } from './network.js';
export { KvStore, encodeCommand, decodeCommand, type KvCommand, type KvResult, type KvValue } from './kv.js';
export { SimNode, type SimNodeOptions } from './node.js';
export { Checker, SafetyViolationError, type AckedWrite } from './checker.js';
export { SimCluster, type ClusterOptions, type ReadResult } from './cluster.js';
export { runSeed, type RunOptions, type RunResult } from './random-run.js';
export { Lab, LabFailure, type LabOptions } from './lab.js';
