/** Errors of the gossip package, one class per condition. */

export class GossipConfigError extends Error {
  override readonly name = 'GossipConfigError';
  constructor(readonly field: string, reason: string) {
    super(`gossip config: ${field}: ${reason}`);
  }
}

export class MetaTooLargeError extends Error {
  override readonly name = 'MetaTooLargeError';
  constructor(readonly size: number, readonly limit: number) {
    super(`member metadata is ${size} bytes encoded, over the limit of ${limit}`);
  }
}

export class JoinFailedError extends Error {
  override readonly name = 'JoinFailedError';
  constructor(readonly seeds: readonly string[], options?: { cause?: unknown }) {
    super(`could not join through any seed of ${seeds.join(', ')}`, options);
  }
}

export class NotStartedError extends Error {
  override readonly name = 'NotStartedError';
  constructor(what: string) {
    super(`gossip node is not running: cannot ${what}`);
  }
}

export class MessageDecodeError extends Error {
  override readonly name = 'MessageDecodeError';
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`gossip message: ${reason}`, options);
  }
}

export class MessageTooLargeError extends Error {
  override readonly name = 'MessageTooLargeError';
  constructor(readonly size: number, readonly limit: number) {
    super(`gossip datagram of ${size} bytes is over the limit of ${limit}`);
  }
}

export class FrameTooLargeError extends Error {
  override readonly name = 'FrameTooLargeError';
  constructor(readonly size: number, readonly limit: number) {
    super(`stream frame of ${size} bytes is over the limit of ${limit}`);
  }
}

export class StreamTimeoutError extends Error {
  override readonly name = 'StreamTimeoutError';
  constructor(readonly to: string, readonly ms: number) {
    super(`no answer from ${to} within ${ms} ms`);
  }
}

export class StreamClosedError extends Error {
  override readonly name = 'StreamClosedError';
  constructor(readonly to: string) {
    super(`${to} closed the stream without answering`);
  }
}
