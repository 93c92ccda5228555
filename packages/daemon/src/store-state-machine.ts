/**
 * The object store as Raft's state machine: every committed entry is a
 * command; snapshots are the store's own encoding.
 */
import type { Entry, StateMachine } from '@shoal/raft';
import { decodeCommand, type ApplyResult, type ObjectStore } from '@shoal/state';
import type { Logger } from '@shoal/log';

export class StoreStateMachine implements StateMachine {
  constructor(
    readonly store: ObjectStore,
    private readonly log: Logger,
    private readonly onApplied: (revision: number) => void = () => {},
  ) {}

  apply(entry: Entry): ApplyResult | { ok: false; error: Error } {
    let result: ApplyResult;
    try {
      result = this.store.apply(decodeCommand(entry.data));
    } catch (err) {
      // A command that cannot be decoded changes nothing on any replica: apply
      // is deterministic, so every node refuses it the same way.
      this.log.error('undecodable command in the log', { index: entry.index, err: String(err) });
      return { ok: false, error: err as Error };
    }
    this.onApplied(this.store.revision);
    return result;
  }

  snapshot(): Uint8Array {
    return this.store.snapshot();
  }

  restore(data: Uint8Array): void {
    this.store.restore(data);
    this.onApplied(this.store.revision);
  }
}
