/**
 * The servers a client may talk to, and failover between them. Calls go to
 * the server that last answered; when it is down (UNAVAILABLE, connection
 * refused or dropped) the next one is tried, so losing a node never fails a
 * call while another node is up. A node that names the leader in its error
 * sends the next attempt there. When no node can serve (an election is under
 * way, the cluster restarts), rounds repeat with a growing pause until the
 * call's time budget is spent.
 */
import * as grpc from '@grpc/grpc-js';
import { loadShoalProto } from './proto.js';
import { sleep } from './sleep.js';
import { OutcomeUnknownError, ShoalError, TimeoutError, UnavailableError, fromGrpcError, isFailoverError, neverApplied } from './errors.js';

export type ServiceName = 'ObjectService' | 'PodService' | 'AdminService';

export interface CallOptions {
  /** Overall time budget of the call in ms (all attempts). */
  timeoutMs?: number;
  /**
   * Safe to repeat on another server after a timeout or a dropped connection
   * (reads). Writes are only sent again when they certainly never took effect
   * (no connection, or a node refused to serve); otherwise the caller gets
   * TimeoutError or OutcomeUnknownError, because the first attempt may have
   * been applied.
   */
  idempotent?: boolean;
}

type UnaryMethod = (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => grpc.ClientUnaryCall;
type StreamMethod = (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions) => grpc.ClientReadableStream<unknown>;

/** Default time a node gets to accept a connection. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;

/** Largest response accepted (64 MiB). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Pause between rounds over all servers when none could serve; doubles up to the max. */
const FIRST_ROUND_PAUSE_MS = 100;
const MAX_ROUND_PAUSE_MS = 1000;

/** Shortest per-attempt deadline when more servers remain to try after a timeout. */
const MIN_ATTEMPT_MS = 1000;

export class ServerPool {
  private readonly servers: string[];
  private current = 0;
  private readonly stubs = new Map<string, grpc.Client>();
  private closed = false;

  constructor(
    servers: readonly string[],
    readonly defaultTimeoutMs: number,
    /** How long a node may take to accept a connection before the next is tried. */
    readonly connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS,
    private readonly credentials = grpc.credentials.createInsecure(),
  ) {
    if (servers.length === 0) throw new Error('ServerPool: at least one server address is required');
    this.servers = [...new Set(servers)];
  }

  /** Addresses in the order the next call will try them. */
  order(): string[] {
    const n = this.servers.length;
    return Array.from({ length: n }, (_, i) => this.servers[(this.current + i) % n]!);
  }

  /** The server calls go to first. */
  get preferred(): string {
    return this.servers[this.current]!;
  }

  /** Make `address` the first choice (adding it when it is new, e.g. a leader hint). */
  prefer(address: string): void {
    let i = this.servers.indexOf(address);
    if (i < 0) i = this.servers.push(address) - 1;
    this.current = i;
  }

  /** Move past `address` after it failed, unless another call already did. */
  skip(address: string): void {
    if (this.servers[this.current] === address) this.current = (this.current + 1) % this.servers.length;
  }

  stub(service: ServiceName, address: string): grpc.Client {
    if (this.closed) throw new Error('ServerPool: closed');
    const key = `${service}@${address}`;
    let stub = this.stubs.get(key);
    if (!stub) {
      const Ctor = loadShoalProto()[service];
      stub = new Ctor(address, this.credentials, {
        // Fail fast on a dead address instead of waiting for reconnect backoff.
        'grpc.initial_reconnect_backoff_ms': 200,
        'grpc.max_reconnect_backoff_ms': 2000,
        'grpc.keepalive_time_ms': 10_000,
        'grpc.keepalive_timeout_ms': 5_000,
        // Lists of many objects are large; the server pages them (limit/continue), but a page may be big.
        'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      });
      this.stubs.set(key, stub);
    }
    return stub;
  }

  /** A unary call with failover; resolves with the response message. */
  async unary<Res>(service: ServiceName, method: string, request: object, opts: CallOptions = {}): Promise<Res> {
    const budget = opts.timeoutMs ?? this.defaultTimeoutMs;
    const end = Date.now() + budget;
    const tried: string[] = [];
    let lastError: Error | undefined;
    let leaderHint: string | undefined;
    let pause = FIRST_ROUND_PAUSE_MS;
    // Rounds over every server (plus one attempt for a leader hint) until the
    // budget runs out: during an election every node may refuse for a moment.
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0 && attempt % (this.servers.length + 1) === 0) {
        const left = end - Date.now();
        if (left <= pause) break;
        await sleep(pause);
        pause = Math.min(MAX_ROUND_PAUSE_MS, pause * 2);
      }
      const remaining = end - Date.now();
      if (remaining <= 0) break;
      if (leaderHint) this.prefer(leaderHint);
      leaderHint = undefined;
      const address = this.preferred;
      const moreLeft = attempt % (this.servers.length + 1) < this.servers.length - 1;
      // A read leaves time for the other servers if this one hangs (e.g. SIGSTOPped).
      const attemptMs = opts.idempotent && moreLeft ? Math.min(remaining, Math.max(MIN_ATTEMPT_MS, Math.floor(budget / 2))) : remaining;
      tried.push(address);
      // A node that does not even accept the connection (partitioned, paused)
      // is skipped before anything is sent, so even a write moves on safely.
      if (!(await this.connects(service, address, Math.min(attemptMs, this.connectTimeoutMs)))) {
        lastError = new UnavailableError(`no connection to ${address} within ${Math.min(attemptMs, this.connectTimeoutMs)} ms`, undefined, grpc.status.UNAVAILABLE, address);
        this.skip(address);
        continue;
      }
      try {
        return await this.attempt<Res>(service, method, request, address, attemptMs);
      } catch (raw) {
        const err = fromGrpcError(raw, address);
        if (isFailoverError(err) && !opts.idempotent && !neverApplied(err)) {
          // The connection broke with a write in flight: do not send it twice.
          throw new OutcomeUnknownError(`${method} to ${address}: ${err.message}; the change may or may not have been applied`, err instanceof ShoalError ? err.code : grpc.status.UNAVAILABLE, address, { cause: err });
        }
        if (isFailoverError(err)) {
          lastError = err;
          const hint = err instanceof UnavailableError ? err.leader : undefined;
          if (hint && hint !== address) leaderHint = hint;
          this.skip(address);
          continue;
        }
        if (err instanceof TimeoutError && opts.idempotent && moreLeft) {
          lastError = err;
          this.skip(address);
          continue;
        }
        throw err;
      }
    }
    if (lastError instanceof TimeoutError || (lastError === undefined && Date.now() >= end)) {
      throw new TimeoutError(`${method} timed out after ${budget} ms (tried ${[...new Set(tried)].join(', ')})`, grpc.status.DEADLINE_EXCEEDED, undefined, { cause: lastError });
    }
    const why = lastError ? `: ${lastError.message}` : '';
    throw new UnavailableError(`no Shoal server answered ${method} (tried ${[...new Set(tried)].join(', ')})${why}`, undefined, grpc.status.UNAVAILABLE, undefined, { cause: lastError });
  }

  /**
   * False when the channel to `address` is still trying to connect after
   * `ms` (no answer to the TCP handshake). A refused connection answers at
   * once and returns true: the call then fails fast with UNAVAILABLE.
   */
  private async connects(service: ServiceName, address: string, ms: number): Promise<boolean> {
    const channel = this.stub(service, address).getChannel();
    const deadline = Date.now() + ms;
    let state = channel.getConnectivityState(true);
    while (state === grpc.connectivityState.IDLE || state === grpc.connectivityState.CONNECTING) {
      const changed = await new Promise<boolean>((resolve) => channel.watchConnectivityState(state, deadline, (err) => resolve(!err)));
      if (!changed) return false;
      state = channel.getConnectivityState(true);
    }
    return true;
  }

  private attempt<Res>(service: ServiceName, method: string, request: object, address: string, timeoutMs: number): Promise<Res> {
    const stub = this.stub(service, address) as unknown as Record<string, UnaryMethod>;
    const fn = stub[method];
    if (typeof fn !== 'function') return Promise.reject(new Error(`${service} has no method ${method}`));
    return new Promise<Res>((resolve, reject) => {
      fn.call(stub, request, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err) reject(err);
        else resolve(res as Res);
      });
    });
  }

  /**
   * Make the first server (in order) that accepts a connection within the
   * connect timeout the preferred one, before opening a stream there. When
   * none does, the preference stays and the stream's own error tells.
   */
  async preferConnected(service: ServiceName): Promise<void> {
    for (const address of this.order()) {
      if (await this.connects(service, address, this.connectTimeoutMs)) {
        this.prefer(address);
        return;
      }
    }
  }

  /** Open a server stream on the preferred server (no failover: the caller resumes). */
  stream<Msg>(service: ServiceName, method: string, request: object, deadlineMs?: number): { call: grpc.ClientReadableStream<Msg>; address: string } {
    const address = this.preferred;
    const stub = this.stub(service, address) as unknown as Record<string, StreamMethod>;
    const fn = stub[method];
    if (typeof fn !== 'function') throw new Error(`${service} has no method ${method}`);
    const callOpts: grpc.CallOptions = deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
    const call = fn.call(stub, request, new grpc.Metadata(), callOpts) as grpc.ClientReadableStream<Msg>;
    return { call, address };
  }

  get size(): number {
    return this.servers.length;
  }

  close(): void {
    this.closed = true;
    for (const stub of this.stubs.values()) stub.close();
    this.stubs.clear();
  }
}
