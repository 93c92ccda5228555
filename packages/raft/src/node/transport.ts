/**
 * How Raft messages travel between nodes. Delivery is best effort: a
 * transport may drop messages (Raft retransmits) but reports a peer it
 * cannot reach, and the outcome of each snapshot it sends, through the same
 * handler as local messages of type `Unreachable` and `SnapStatus`
 * (`reject: true` when the snapshot failed).
 */
import type { Message, NodeId } from '../types.js';

export type MessageHandler = (m: Message) => void;

export interface Transport {
  /** Queues messages for their `to` peers; never throws for an unknown or dead peer. */
  send(msgs: Message[]): void;
  /** The one receiver of incoming messages and local reports. */
  onMessage(handler: MessageHandler): void;
  addPeer(id: NodeId, address: string): void;
  removePeer(id: NodeId): void;
  close(): Promise<void>;
}
