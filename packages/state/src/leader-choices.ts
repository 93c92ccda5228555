/**
 * Turning a reconciler's Action into a log command: the leader fills in what
 * must not be chosen inside apply (uid, time, generated name suffix), from
 * sources it injects (a clock and a random source in the daemon, fixed
 * sequences in tests).
 */
import type { Action } from '@shoal/api';
import type { SingleCommand } from './commands.js';

export interface LeaderChoices {
  /** A fresh uid. */
  uid(): string;
  /** The current time, RFC 3339. */
  now(): string;
  /** A suffix for metadata.generateName. */
  nameSuffix(): string;
}

export function commandForAction(a: Action, c: LeaderChoices): SingleCommand {
  switch (a.op) {
    case 'create': {
      const needsSuffix = !a.object.metadata?.name && !!a.object.metadata?.generateName;
      return { type: 'create', object: a.object, uid: c.uid(), timestamp: c.now(), ...(needsSuffix ? { nameSuffix: c.nameSuffix() } : {}) };
    }
    case 'update':
      return { type: 'update', object: a.object };
    case 'updateStatus':
      return { type: 'updateStatus', object: a.object };
    case 'delete':
      return {
        type: 'delete',
        key: a.key,
        timestamp: c.now(),
        ...(a.propagationPolicy ? { propagationPolicy: a.propagationPolicy } : {}),
        ...(a.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: a.gracePeriodSeconds } : {}),
        ...(a.uid ? { uid: a.uid } : {}),
      };
    case 'bind':
      return { type: 'bind', key: a.key, nodeName: a.nodeName, ...(a.uid ? { uid: a.uid } : {}) };
    case 'removeFinalizers':
      return { type: 'patchMetadata', key: a.key, removeFinalizers: a.finalizers, ...(a.uid ? { uid: a.uid } : {}) };
  }
}

/** Kubernetes' suffix alphabet: no vowels (no words), no look-alike characters. */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A 5-character name suffix drawn from `random` (a function returning [0, 1)). */
export function nameSuffixFrom(random: () => number, length = 5): string {
  let s = '';
  for (let i = 0; i < length; i++) s += SUFFIX_ALPHABET[Math.floor(random() * SUFFIX_ALPHABET.length) % SUFFIX_ALPHABET.length];
  return s;
}
