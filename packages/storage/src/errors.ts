/** A stored record failed its checksum or broke the log's invariants. */
export class CorruptLogError extends Error {
  override name = 'CorruptLogError';
  constructor(
    readonly path: string,
    /** The entry index concerned, or the name of the metadata record. */
    readonly record: number | string,
    reason: string,
    options?: ErrorOptions,
  ) {
    const what = typeof record === 'number' ? `entry ${record}` : `${record} record`;
    super(`raft log ${path}: ${what} is corrupt: ${reason}`, options);
  }
}

/** The store was used after close, or before open. */
export class LogStoreClosedError extends Error {
  override name = 'LogStoreClosedError';
  constructor(readonly path: string) {
    super(`raft log ${path} is closed`);
  }
}
