/**
 * `Transport` over gRPC. Outbound, one `PeerSender` (one long-lived stream)
 * per peer; inbound, the RaftPeer service, registered on the daemon's own
 * `grpc.Server` with `register(server)`. Frames carry the cluster id and are
 * refused when it differs; oversized messages are refused both ways.
 */
import * as grpc from '@grpc/grpc-js';
import { silentLogger, type Logger } from '@shoal/log';
import {
  MessageType,
  decodeMessage,
  encodeMessage,
  type Message,
  type MessageHandler,
  type NodeId,
  type Transport,
} from '@shoal/raft';
import { resolveOptions, type GrpcTransportOptions, type ResolvedOptions } from './options.js';
import { PeerSender } from './peer-sender.js';
import { raftPeerService, type WireAck, type WireFrame } from './raft-proto.js';

interface Assembly {
  header: Uint8Array;
  parts: Uint8Array[];
  size: number;
}

export class GrpcTransport implements Transport {
  private readonly opts: ResolvedOptions;
  private readonly log: Logger;
  private readonly peers = new Map<NodeId, PeerSender>();
  private handler: MessageHandler | undefined;
  private readonly inbound = new Set<grpc.ServerDuplexStream<WireFrame, WireAck>>();
  private closed = false;

  constructor(options: GrpcTransportOptions) {
    this.opts = resolveOptions(options);
    this.log = (options.logger ?? silentLogger).child({ component: 'raft-transport', node: this.opts.id });
  }

  /** Adds the RaftPeer service to a server the caller owns (binds and starts it). */
  register(server: grpc.Server): void {
    server.addService(raftPeerService().service, {
      Stream: (call: grpc.ServerDuplexStream<WireFrame, WireAck>) => this.serve(call),
    });
  }

  onMessage(handler: MessageHandler): void {
    this.handler = handler;
  }

  addPeer(id: NodeId, address: string): void {
    if (this.closed || id === this.opts.id) return;
    const old = this.peers.get(id);
    if (old?.address === address) return;
    old?.close();
    const events = {
      unreachable: () => this.report(MessageType.Unreachable, id, false),
      snapshotDone: (ok: boolean) => this.report(MessageType.SnapStatus, id, !ok),
    };
    this.peers.set(id, new PeerSender(id, address, this.opts, events, this.log));
  }

  removePeer(id: NodeId): void {
    this.peers.get(id)?.close();
    this.peers.delete(id);
  }

  send(msgs: Message[]): void {
    if (this.closed) return;
    for (const m of msgs) {
      const peer = this.peers.get(m.to);
      if (!peer) {
        this.log.debug('no address for peer; message dropped', { peer: m.to, type: MessageType[m.type] });
        this.dropped(m);
        continue;
      }
      if (m.type === MessageType.Snap && m.snapshot) {
        const header = encodeMessage({ ...m, snapshot: { ...m.snapshot, data: new Uint8Array(0) } });
        if (!peer.enqueueSnapshot(header, m.snapshot.data)) this.dropped(m);
        continue;
      }
      const bytes = encodeMessage(m);
      if (bytes.length > this.opts.maxMessageBytes) {
        this.log.warn('message over the size limit; dropped', { peer: m.to, type: MessageType[m.type], bytes: bytes.length, limit: this.opts.maxMessageBytes });
        this.dropped(m);
        continue;
      }
      // A full queue means the peer is slow or gone: drop, and let Raft retransmit.
      if (!peer.enqueueMessage(bytes)) this.dropped(m);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.peers.values()) p.close();
    this.peers.clear();
    for (const call of this.inbound) call.end();
    this.inbound.clear();
  }

  private dropped(m: Message): void {
    this.report(MessageType.Unreachable, m.to, false);
    if (m.type === MessageType.Snap) this.report(MessageType.SnapStatus, m.to, true);
  }

  /** Local reports reach Raft through the message handler, asynchronously. */
  private report(type: MessageType, peer: NodeId, reject: boolean): void {
    const m: Message = {
      type, from: peer, to: this.opts.id, term: 0, logTerm: 0, index: 0,
      entries: [], commit: 0, reject, rejectHint: 0,
    };
    queueMicrotask(() => this.deliver(m));
  }

  private deliver(m: Message): void {
    if (this.closed || !this.handler) return;
    try {
      this.handler(m);
    } catch (err) {
      this.log.warn('raft refused a message', { from: m.from, type: MessageType[m.type], error: String(err) });
    }
  }

  private serve(call: grpc.ServerDuplexStream<WireFrame, WireAck>): void {
    this.inbound.add(call);
    const assemblies = new Map<string, Assembly>();
    let greeted = false;
    const refuse = (code: grpc.status, details: string, fields: Record<string, unknown>): void => {
      this.log.warn(details, fields);
      call.emit('error', { code, details });
      this.inbound.delete(call);
    };
    call.on('data', (f: WireFrame) => {
      if (this.closed) return;
      if (f.clusterId !== this.opts.clusterId) {
        refuse(grpc.status.PERMISSION_DENIED, `frame from cluster ${f.clusterId}, this is ${this.opts.clusterId}`, { from: f.from, cluster: f.clusterId });
        return;
      }
      if (!greeted) {
        greeted = true;
        call.write({ snapshotId: '0', snapshotOk: false });
      }
      for (const b of f.messages) {
        if (b.length > this.opts.maxMessageBytes) {
          this.log.warn('message over the size limit; refused', { from: f.from, bytes: b.length, limit: this.opts.maxMessageBytes });
          continue;
        }
        this.receive(b, f.from);
      }
      if (f.snapshotChunk) this.receiveChunk(call, assemblies, f);
    });
    call.on('end', () => {
      this.inbound.delete(call);
      call.end();
    });
    call.on('error', () => this.inbound.delete(call));
  }

  private receive(bytes: Uint8Array, from: string): void {
    let m: Message;
    try {
      m = decodeMessage(bytes);
    } catch (err) {
      this.log.warn('undecodable message; dropped', { from, error: String(err) });
      return;
    }
    if (m.to !== this.opts.id) {
      this.log.warn('message for another node; dropped', { from, to: m.to });
      return;
    }
    this.deliver(m);
  }

  private receiveChunk(call: grpc.ServerDuplexStream<WireFrame, WireAck>, assemblies: Map<string, Assembly>, f: WireFrame): void {
    const c = f.snapshotChunk!;
    let a = assemblies.get(c.snapshotId);
    if (!a) {
      a = { header: c.header, parts: [], size: 0 };
      assemblies.set(c.snapshotId, a);
    }
    a.parts.push(c.data);
    a.size += c.data.length;
    if (!c.last) return;
    assemblies.delete(c.snapshotId);
    let m: Message;
    try {
      m = decodeMessage(a.header);
    } catch (err) {
      this.log.warn('undecodable snapshot header; dropped', { from: f.from, error: String(err) });
      call.write({ snapshotId: c.snapshotId, snapshotOk: false });
      return;
    }
    const data = new Uint8Array(a.size);
    let off = 0;
    for (const p of a.parts) {
      data.set(p, off);
      off += p.length;
    }
    if (m.snapshot) m.snapshot.data = data;
    this.deliver(m);
    call.write({ snapshotId: c.snapshotId, snapshotOk: true });
  }
}
