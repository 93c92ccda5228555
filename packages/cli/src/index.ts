export { main } from './main.js';
export { processIO, BufferOutput, type CliIO, type Output } from './io.js';
export { resolveConfig, parseDuration, type CliConfig } from './config.js';
export { CliError, ManifestError, formatError } from './errors.js';
export { parseManifests, readManifests, type Manifest, type ManifestSource } from './manifests.js';
export { resolveKind, parseRef, resourceName } from './kinds.js';
export { rolloutState, type RolloutState } from './rollout-status.js';
export { jobFromCronJob } from './commands/create.js';
