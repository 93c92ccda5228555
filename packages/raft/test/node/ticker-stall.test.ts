/**
 * The ticker after an event-loop stall: Node runs timers before it reads
 * sockets, so a follower whose loop was blocked for longer than an election
 * timeout must not count that time before it reads the heartbeat that
 * arrived meanwhile (a spurious election under load).
 *
 * The leader here is the test itself, sending heartbeats to one RaftNode
 * over a real loopback TCP connection, so the heartbeat sent just before
 * the stall is I/O waiting in the socket, as between processes.
 */
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import t from 'tap';
import {
  MemoryLogStore, MessageType, RaftNode, decodeMessage, encodeMessage, type Message, type MessageHandler, type Transport,
} from '../../src/index.js';
import { KvMachine } from './harness.js';

/** Inbound messages come length-prefixed from a TCP socket; outbound ones are recorded. */
class SocketTransport implements Transport {
  handler: MessageHandler | undefined;
  readonly sent: Message[] = [];
  private buf = Buffer.alloc(0);

  attach(sock: Socket): void {
    sock.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readUInt32BE(0)) {
        const n = this.buf.readUInt32BE(0);
        const m = decodeMessage(this.buf.subarray(4, 4 + n));
        this.buf = this.buf.subarray(4 + n);
        this.handler?.(m);
      }
    });
  }

  send(msgs: Message[]): void {
    this.sent.push(...msgs);
  }

  onMessage(handler: MessageHandler): void {
    this.handler = handler;
  }

  addPeer(): void {}
  removePeer(): void {}
  async close(): Promise<void> {}
}

function frame(m: Message): Buffer {
  const body = encodeMessage(m);
  const out = Buffer.alloc(4 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.set(body, 4);
  return out;
}

const heartbeat = (term: number): Message => ({
  type: MessageType.Heartbeat, from: 'b', to: 'a', term, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0,
});

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // the event loop is blocked, as by GC or a long callback
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

t.test('a follower reads the heartbeat that arrived during a stall before counting the stalled time', async (t) => {
  const transport = new SocketTransport();
  const server = createServer((s) => transport.attach(s));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  client.setNoDelay(true);
  await once(client, 'connect');
  t.teardown(() => {
    client.destroy();
    server.close();
  });

  // rand 0: the randomized election timeout is exactly electionMs (10 ticks).
  const node = new RaftNode({
    id: 'a', peers: ['a', 'b', 'c'], logStore: new MemoryLogStore(), transport, stateMachine: new KvMachine(),
    tickMs: 20, heartbeatMs: 40, electionMs: 200, rand: { intn: () => 0 },
  });
  await node.start();
  t.teardown(() => node.stop());

  // 'b' leads term 1 and heartbeats every 40 ms.
  const beat = (): void => void client.write(frame(heartbeat(1)));
  beat();
  let beating = setInterval(beat, 40);
  for (let i = 0; i < 50 && node.status().leader !== 'b'; i++) await sleep(10);
  t.equal(node.status().leader, 'b', 'follows b');
  await sleep(100);

  for (let round = 0; round < 3; round++) {
    // The last heartbeat before the stall is written to the socket, then
    // the loop blocks for two election timeouts.
    clearInterval(beating);
    await new Promise<void>((resolve) => setTimeout(() => {
      beat();
      busyWait(400);
      resolve();
    }, 5));
    beating = setInterval(beat, 40);
    await sleep(120);
  }
  clearInterval(beating);

  const campaign = transport.sent.filter((m) => m.type === MessageType.PreVote || m.type === MessageType.Vote);
  t.same(campaign.map((m) => MessageType[m.type]), [], 'no (pre-)vote requests after the stalls');
  t.equal(node.status().leader, 'b', 'still follows b');
  t.equal(node.status().term, 1);
});

t.test('without messages in between, a stall still counts as elapsed time (failover is not slowed)', async (t) => {
  const transport = new SocketTransport();
  const node = new RaftNode({
    id: 'a', peers: ['a', 'b', 'c'], logStore: new MemoryLogStore(), transport, stateMachine: new KvMachine(),
    tickMs: 20, heartbeatMs: 40, electionMs: 200, rand: { intn: () => 0 },
  });
  await node.start();
  t.teardown(() => node.stop());
  transport.handler!(heartbeat(1));
  for (let i = 0; i < 50 && node.status().leader !== 'b'; i++) await sleep(10);
  t.equal(node.status().leader, 'b');
  // The leader is gone; the loop stalls for longer than an election
  // timeout. The election starts right after the stall, not 200 ms later.
  await new Promise<void>((resolve) => setTimeout(() => {
    busyWait(300);
    resolve();
  }, 5));
  const after = performance.now();
  for (let i = 0; i < 100 && !transport.sent.some((m) => m.type === MessageType.PreVote); i++) await sleep(2);
  t.ok(transport.sent.some((m) => m.type === MessageType.PreVote), 'campaigns');
  t.ok(performance.now() - after < 100, `campaigned ${Math.round(performance.now() - after)} ms after the stall`);
});
