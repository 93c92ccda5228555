#!/usr/bin/env node
/**
 * shoald: the Shoal node daemon.
 *
 *   shoald --config cluster-config/local-3node.yaml --node node-1
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { createJsonLogger } from '@shoal/log';
import { ConfigError, loadConfig } from './config.js';
import { ShoalDaemon } from './daemon.js';

export async function main(argv: string[]): Promise<number> {
  const args = await yargs(argv)
    .scriptName('shoald')
    .usage('$0 --config FILE --node NAME\n\nRuns one Shoal node: Raft, gossip, the API, the agent and, when it leads, the scheduler and controllers.')
    .option('config', { alias: 'c', type: 'string', demandOption: true, describe: 'cluster config (cluster-config/*.yaml)' })
    .option('node', { alias: 'n', type: 'string', demandOption: true, describe: "this node's name in the config" })
    .option('log-level', { type: 'string', choices: ['debug', 'info', 'warn', 'error'], describe: "override the node's logLevel" })
    .option('no-agent', { type: 'boolean', default: false, describe: 'run no containers on this node (control plane only)' })
    .strict()
    .help()
    .parse();

  let config;
  try {
    config = loadConfig(args.config, args.node);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`shoald: invalid config: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const logger = createJsonLogger({ level: (args['log-level'] as 'info' | undefined) ?? config.self.logLevel, base: { node: config.self.name } });
  const daemon = new ShoalDaemon({ config, logger, ...(args['no-agent'] ? { runtime: null } : {}) });

  let stopping: Promise<void> | undefined;
  const stop = (signal: string) => {
    if (stopping) return;
    logger.info('signal received, shutting down', { signal });
    stopping = daemon.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('unhandledRejection', (err) => logger.error('unhandled rejection', { err: String((err as Error)?.stack ?? err) }));

  try {
    await daemon.start();
  } catch (err) {
    logger.error('shoald failed to start', { err: String((err as Error)?.stack ?? err) });
    process.stderr.write(`shoald: ${(err as Error).message}\n`);
    await daemon.stop().catch(() => undefined);
    return 1;
  }
  return -1; // keep running until a signal
}

const code = await main(hideBin(process.argv));
if (code >= 0) process.exit(code);
