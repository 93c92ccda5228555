/**
 * Timing and fan-out of the protocol, in milliseconds. Three profiles in the
 * manner of memberlist's: `local` (one machine or a rack, loopback latency),
 * `lan` (one data centre, the default) and `wan` (across regions).
 * docs/gossip.md explains each field and how detection time follows from them.
 */
import { GossipConfigError } from '../errors.js';

export interface GossipConfig {
  /** Each member probes one other this often (stretched by local health). */
  probeIntervalMs: number;
  /** Wait this long for a direct ack before asking others to probe (stretched by local health). */
  probeTimeoutMs: number;
  /** How many members are asked to probe indirectly (k). */
  indirectChecks: number;
  /** Minimum suspicion timeout = suspicionMult * max(1, log10 n) * probeInterval. */
  suspicionMult: number;
  /** Maximum suspicion timeout = suspicionMaxTimeoutMult * minimum; it shrinks with confirmations. */
  suspicionMaxTimeoutMult: number;
  /** Local health score ranges over [0, awarenessMaxMultiplier - 1]; timeouts scale by score + 1. */
  awarenessMaxMultiplier: number;
  /** Piggyback-only gossip is sent this often... */
  gossipIntervalMs: number;
  /** ...to this many random members. */
  gossipNodes: number;
  /** Dead members still get gossip this long, so one that was wrongly declared dead hears it and refutes. */
  gossipToTheDeadMs: number;
  /** Full state exchange with one random member this often (scaled up above 32 members). 0 disables. */
  pushPullIntervalMs: number;
  /** An update is retransmitted retransmitMult * ceil(log10(n + 1)) times. */
  retransmitMult: number;
  /**
   * Every this often, push-pull with one random dead (not left) member: after
   * a partition heals, the halves that declared each other dead merge again.
   * 0 disables.
   */
  reconnectIntervalMs: number;
  /** Dead and left members are forgotten this long after they died or left. */
  deadReapMs: number;
  /** Largest datagram the core builds (piggybacked updates are packed to fit). */
  maxPacketBytes: number;
  /** Largest encoded metadata a member may carry. */
  maxMetaBytes: number;
}

export type GossipProfile = 'local' | 'lan' | 'wan';

/** lan: one data centre. Detection of a crashed member in a 50-member cluster takes a few seconds. */
const lan: GossipConfig = {
  probeIntervalMs: 1000,
  probeTimeoutMs: 500,
  indirectChecks: 3,
  suspicionMult: 4,
  suspicionMaxTimeoutMult: 6,
  awarenessMaxMultiplier: 8,
  gossipIntervalMs: 200,
  gossipNodes: 3,
  gossipToTheDeadMs: 30_000,
  pushPullIntervalMs: 30_000,
  retransmitMult: 4,
  reconnectIntervalMs: 30_000,
  deadReapMs: 30 * 60_000,
  maxPacketBytes: 1400,
  maxMetaBytes: 512,
};

/**
 * local: loopback or one rack. Tuned so a SIGKILLed member of a 3-member
 * cluster is declared dead within 2 s: at most ~0.6 s until a probe hits it,
 * 0.3 s for that probe to fail, then a 0.6 s suspicion (2 * 1 * 300 ms).
 */
const local: GossipConfig = {
  ...lan,
  probeIntervalMs: 300,
  probeTimeoutMs: 100,
  indirectChecks: 1,
  suspicionMult: 2,
  suspicionMaxTimeoutMult: 4,
  gossipIntervalMs: 100,
  gossipToTheDeadMs: 10_000,
  pushPullIntervalMs: 10_000,
  retransmitMult: 3,
  reconnectIntervalMs: 5_000,
  deadReapMs: 5 * 60_000,
};

/** wan: regions apart, hundreds of ms of latency and more loss. */
const wan: GossipConfig = {
  ...lan,
  probeIntervalMs: 5000,
  probeTimeoutMs: 3000,
  suspicionMult: 6,
  gossipIntervalMs: 500,
  gossipNodes: 4,
  gossipToTheDeadMs: 60_000,
  pushPullIntervalMs: 60_000,
  retransmitMult: 4,
  reconnectIntervalMs: 60_000,
  deadReapMs: 60 * 60_000,
};

export const profiles: Readonly<Record<GossipProfile, Readonly<GossipConfig>>> = { local, lan, wan };

/** A profile's values, with overrides, checked. Throws GossipConfigError on a bad field. */
export function resolveConfig(profile: GossipProfile = 'lan', overrides: Partial<GossipConfig> = {}): GossipConfig {
  const base = profiles[profile];
  if (!base) throw new GossipConfigError('profile', `unknown profile ${String(profile)}`);
  const cfg: GossipConfig = { ...base, ...overrides };
  const positive: (keyof GossipConfig)[] = ['probeIntervalMs', 'probeTimeoutMs', 'suspicionMult', 'suspicionMaxTimeoutMult',
    'awarenessMaxMultiplier', 'gossipIntervalMs', 'gossipNodes', 'retransmitMult', 'deadReapMs', 'maxPacketBytes', 'maxMetaBytes'];
  for (const k of positive) {
    if (!Number.isFinite(cfg[k]) || cfg[k] <= 0) throw new GossipConfigError(k, `must be a positive number, got ${cfg[k]}`);
  }
  for (const k of ['indirectChecks', 'pushPullIntervalMs', 'gossipToTheDeadMs', 'reconnectIntervalMs'] as const) {
    if (!Number.isFinite(cfg[k]) || cfg[k] < 0) throw new GossipConfigError(k, `must be zero or more, got ${cfg[k]}`);
  }
  if (cfg.probeTimeoutMs >= cfg.probeIntervalMs) throw new GossipConfigError('probeTimeoutMs', 'must be shorter than probeIntervalMs');
  if (cfg.suspicionMaxTimeoutMult < 1) throw new GossipConfigError('suspicionMaxTimeoutMult', 'must be at least 1');
  if (cfg.maxPacketBytes < 512) throw new GossipConfigError('maxPacketBytes', 'must be at least 512');
  return cfg;
}
