/**
 * Wrappers that give every gRPC handler the same shape: time it, answer
 * once, map errors through `toStatus`, and never let an exception escape.
 */
import type * as grpc from '@grpc/grpc-js';
import { toStatus } from './errors.js';
import type { ApiContext } from './context.js';

export function unary<Req, Res>(
  ctx: ApiContext,
  method: string,
  fn: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const end = ctx.metrics.grpcLatency.startTimer({ method });
    fn(call.request, call).then(
      (res) => {
        end({ code: 'OK' });
        callback(null, res);
      },
      (err: unknown) => {
        const st = toStatus(err, () => ctx.leaderApiAddress());
        end({ code: String(st.code) });
        if (st.code === 13) ctx.log.error('request failed', { method, err: String((err as Error)?.stack ?? err) });
        callback(st);
      },
    );
  };
}

export function serverStream<Req, Res>(
  ctx: ApiContext,
  method: string,
  fn: (call: grpc.ServerWritableStream<Req, Res>) => Promise<void>,
): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => {
    fn(call).then(
      () => call.end(),
      (err: unknown) => {
        if (call.cancelled || call.destroyed) return;
        const st = toStatus(err, () => ctx.leaderApiAddress());
        if (st.code === 13) ctx.log.error('stream failed', { method, err: String((err as Error)?.stack ?? err) });
        call.destroy(st);
      },
    );
  };
}
