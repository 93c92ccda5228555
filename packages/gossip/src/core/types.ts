/**
 * Wire and event types of the SWIM core. Everything here is plain data so the
 * runner can encode it and the simulator can pass it around by reference.
 */

/** A member's metadata: flat string pairs (see node-meta.ts for Shoal's typed view). */
export type Meta = Readonly<Record<string, string>>;

/**
 * alive: answers probes. suspect: failed a probe, may still refute.
 * dead: suspicion confirmed. left: said goodbye (graceful leave, not a failure).
 */
export type MemberStatus = 'alive' | 'suspect' | 'dead' | 'left';

/** What a member is known as; `stateSince` is the local time (ms) of the last state change. */
export interface MemberInfo {
  name: string;
  /** host:port of its gossip endpoint. */
  address: string;
  state: MemberStatus;
  incarnation: number;
  meta: Meta;
  /** Bumped by the owner at each metadata change; with the incarnation it orders alive claims. */
  metaVersion: number;
  stateSince: number;
}

/** Membership facts disseminated by piggybacking on other messages. */
export type Update =
  | { t: 'alive'; node: string; addr: string; inc: number; meta: Meta; mv: number }
  | { t: 'suspect'; node: string; inc: number; from: string }
  /** `from === node` marks a graceful leave. */
  | { t: 'dead'; node: string; inc: number; from: string };

/** One member's full state, as exchanged in a push-pull. */
export interface MemberState {
  node: string;
  addr: string;
  inc: number;
  meta: Meta;
  mv: number;
  status: MemberStatus;
}

export interface PingMessage { t: 'ping'; seq: number; target: string; from: string; fromAddr: string; up: Update[] }
/** Ask `from`'s peer to probe `target` on its behalf (SWIM ping-req). */
export interface PingReqMessage { t: 'ping-req'; seq: number; target: string; targetAddr: string; from: string; fromAddr: string; up: Update[] }
export interface AckMessage { t: 'ack'; seq: number; from: string; up: Update[] }
/** Lifeguard: an indirect prober tells the requester it got no answer, so the requester knows its own link works. */
export interface NackMessage { t: 'nack'; seq: number; from: string; up: Update[] }
export interface GossipMessage { t: 'gossip'; from: string; up: Update[] }
export interface PushPullMessage { t: 'push-pull'; from: string; fromAddr: string; join: boolean; reply: boolean; members: MemberState[] }

export type Message = PingMessage | PingReqMessage | AckMessage | NackMessage | GossipMessage | PushPullMessage;

/** A message to send. `stream` messages (push-pull) are large and must go over a reliable stream. */
export interface Outgoing { to: string; msg: Message; stream: boolean }

export type MemberEventType = 'join' | 'update' | 'suspect' | 'alive' | 'dead' | 'leave';
export interface MemberEvent { type: MemberEventType; member: MemberInfo }

/** What one call into the core produced. */
export interface Output { messages: Outgoing[]; events: MemberEvent[] }
