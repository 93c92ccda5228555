/**
 * `Transport` in one process: a `MemoryNetwork` connects `MemoryTransport`s
 * by node id and delivers asynchronously (setImmediate), so whole clusters
 * run inside a test. `isolate` cuts a node off both ways, `heal` restores it.
 */
import type { MessageHandler, Transport } from './transport.js';
import { MessageType, type Message, type NodeId } from '../types.js';
import { decodeMessage, encodeMessage } from './codec.js';

export class MemoryNetwork {
  private readonly nodes = new Map<NodeId, MemoryTransport>();
  private readonly isolated = new Set<NodeId>();

  /** A transport for `id`, replacing any earlier one (a restarted node). */
  join(id: NodeId): MemoryTransport {
    const t = new MemoryTransport(id, this);
    this.nodes.set(id, t);
    return t;
  }

  leave(id: NodeId, t: MemoryTransport): void {
    if (this.nodes.get(id) === t) this.nodes.delete(id);
  }

  isolate(id: NodeId): void {
    this.isolated.add(id);
  }

  heal(id: NodeId): void {
    this.isolated.delete(id);
  }

  /** True when the message reached a live transport. */
  deliver(m: Message): boolean {
    if (this.isolated.has(m.from) || this.isolated.has(m.to)) return false;
    const dst = this.nodes.get(m.to);
    if (!dst) return false;
    // Round-trip through the wire codec so tests share nothing by reference.
    const copy = decodeMessage(encodeMessage(m));
    setImmediate(() => dst.receive(copy));
    return true;
  }
}

export class MemoryTransport implements Transport {
  private handler: MessageHandler | undefined;
  private closed = false;

  constructor(readonly id: NodeId, private readonly network: MemoryNetwork) {}

  send(msgs: Message[]): void {
    if (this.closed) return;
    for (const m of msgs) {
      const ok = this.network.deliver(m);
      if (!ok) this.report({ type: MessageType.Unreachable, from: m.to });
      if (m.type === MessageType.Snap) this.report({ type: MessageType.SnapStatus, from: m.to, reject: !ok });
    }
  }

  private report(part: Pick<Message, 'type' | 'from'> & { reject?: boolean }): void {
    const m: Message = {
      type: part.type, from: part.from, to: this.id, term: 0, logTerm: 0, index: 0,
      entries: [], commit: 0, reject: part.reject ?? false, rejectHint: 0,
    };
    setImmediate(() => this.receive(m));
  }

  receive(m: Message): void {
    if (!this.closed) this.handler?.(m);
  }

  onMessage(handler: MessageHandler): void {
    this.handler = handler;
  }

  addPeer(_id: NodeId, _address: string): void {}

  removePeer(_id: NodeId): void {}

  async close(): Promise<void> {
    this.closed = true;
    this.network.leave(this.id, this);
  }
}
