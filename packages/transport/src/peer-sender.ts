/**
 * The outbound half of a peer link: one long-lived gRPC stream to one peer,
 * a bounded queue in front of it, batching of queued messages into frames,
 * snapshots cut into chunks, and reconnection with exponential backoff.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@shoal/log';
import type { ResolvedOptions } from './options.js';
import type { WireAck, WireFrame } from './raft-proto.js';
import { raftPeerService } from './raft-proto.js';

interface SnapshotJob {
  kind: 'snapshot';
  id: number;
  header: Uint8Array;
  data: Uint8Array;
  offset: number;
}

type Item = { kind: 'message'; bytes: Uint8Array } | SnapshotJob;

interface RaftPeerClient {
  Stream(): grpc.ClientDuplexStream<WireFrame, WireAck>;
}

export interface PeerEvents {
  /** The peer could not be reached or a message to it was dropped. */
  unreachable(): void;
  /** A snapshot sent to the peer was received whole (true) or lost (false). */
  snapshotDone(ok: boolean): void;
}

export class PeerSender {
  private readonly client: grpc.Client;
  private stream: grpc.ClientDuplexStream<WireFrame, WireAck> | undefined;
  private readonly items: Item[] = [];
  private pumping = false;
  private closed = false;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private nextSnapshotId = 1;
  /** Snapshots fully written and awaiting the receiver's acknowledgement. */
  private readonly unacked = new Set<number>();

  constructor(
    readonly peer: string,
    readonly address: string,
    private readonly opts: ResolvedOptions,
    private readonly events: PeerEvents,
    private readonly log: Logger,
  ) {
    this.backoffMs = opts.backoffInitialMs;
    const Client = raftPeerService();
    this.client = new Client(address, grpc.credentials.createInsecure(), {
      'grpc.max_send_message_length': opts.maxFrameBytes + opts.maxMessageBytes + 1024,
      'grpc.max_receive_message_length': 1024 * 1024,
      'grpc.initial_reconnect_backoff_ms': opts.backoffInitialMs,
      'grpc.max_reconnect_backoff_ms': opts.backoffMaxMs,
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
      // Channelz bookkeeping costs CPU on every message; nothing reads it.
      'grpc.enable_channelz': 0,
    });
  }

  /** False when the queue is full and the message was dropped. */
  enqueueMessage(bytes: Uint8Array): boolean {
    if (this.items.length >= this.opts.queueLimit) return false;
    this.items.push({ kind: 'message', bytes });
    this.kick();
    return true;
  }

  enqueueSnapshot(header: Uint8Array, data: Uint8Array): boolean {
    if (this.items.length >= this.opts.queueLimit) return false;
    this.items.push({ kind: 'snapshot', id: this.nextSnapshotId++, header, data, offset: 0 });
    this.kick();
    return true;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.stream?.cancel();
    this.stream = undefined;
    this.client.close();
    this.failPending();
  }

  private kick(): void {
    if (this.closed || this.pumping) return;
    if (!this.stream && !this.reconnectTimer) this.connect();
    if (this.stream) void this.pump();
  }

  private connect(): void {
    const stream = (this.client as unknown as RaftPeerClient).Stream();
    this.stream = stream;
    stream.on('data', (ack: WireAck) => {
      // Any answer proves the link works: the next failure starts a fresh backoff.
      this.backoffMs = this.opts.backoffInitialMs;
      const id = Number(ack.snapshotId);
      if (id && this.unacked.delete(id)) this.events.snapshotDone(ack.snapshotOk);
    });
    stream.on('error', (err: grpc.ServiceError) => this.broken(stream, err));
    stream.on('end', () => this.broken(stream, undefined));
    // The hello: lets the receiver check the cluster id before any traffic.
    stream.write({ clusterId: this.opts.clusterId, from: this.opts.id, messages: [] });
  }

  private broken(stream: grpc.ClientDuplexStream<WireFrame, WireAck>, err: grpc.ServiceError | undefined): void {
    if (this.stream !== stream) return;
    this.stream = undefined;
    if (this.closed) return;
    const refused = err?.code === grpc.status.PERMISSION_DENIED;
    const fields = { peer: this.peer, address: this.address, code: err?.code, error: err?.details, retryMs: this.backoffMs };
    if (refused) this.log.error('peer refused our stream', fields);
    else this.log.debug('peer stream broken', fields);
    this.failPending();
    this.events.unreachable();
    if (refused) this.backoffMs = this.opts.backoffMaxMs;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.items.length > 0) this.kick();
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.backoffMaxMs);
  }

  /** Snapshots in flight on a broken stream are lost; Raft will retry them. */
  private failPending(): void {
    for (const _ of this.unacked) this.events.snapshotDone(false);
    this.unacked.clear();
    const head = this.items[0];
    if (head?.kind === 'snapshot' && head.offset > 0) {
      this.items.shift();
      this.events.snapshotDone(false);
    }
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.items.length > 0 && this.stream) {
        const stream = this.stream;
        const frame = this.nextFrame();
        // Backpressure: stop writing until gRPC has flushed what it holds.
        if (!stream.write(frame)) await drained(stream);
      }
    } finally {
      this.pumping = false;
    }
  }

  private nextFrame(): WireFrame {
    const frame: WireFrame = { clusterId: this.opts.clusterId, from: this.opts.id, messages: [] };
    const head = this.items[0]!;
    if (head.kind === 'snapshot') {
      const end = Math.min(head.offset + this.opts.snapshotChunkBytes, head.data.length);
      const last = end === head.data.length;
      frame.snapshotChunk = {
        snapshotId: String(head.id),
        header: head.offset === 0 ? head.header : new Uint8Array(0),
        data: head.data.subarray(head.offset, end),
        last,
      };
      head.offset = end;
      if (last) {
        this.items.shift();
        this.unacked.add(head.id);
      }
      return frame;
    }
    let bytes = 0;
    while (this.items[0]?.kind === 'message' && (frame.messages.length === 0 || bytes + this.items[0].bytes.length <= this.opts.maxFrameBytes)) {
      const m = this.items.shift() as { bytes: Uint8Array };
      frame.messages.push(m.bytes);
      bytes += m.bytes.length;
    }
    return frame;
  }
}

function drained(stream: grpc.ClientDuplexStream<WireFrame, WireAck>): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}
