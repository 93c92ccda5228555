/**
 * The engine's container events (start, die, oom) for one owner node's
 * containers, as `RuntimeEvent`s. The stream is reopened a second after the
 * engine drops it (engine restart).
 */
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import type { Logger } from '@shoal/log';
import { LABEL_CONTAINER_NAME, LABEL_OWNER, LABEL_POD_UID } from '../labels.js';
import type { RuntimeEvent } from '../runtime.js';

function parseEvent(line: string): RuntimeEvent {
  const ev = JSON.parse(line) as { status?: string; Action?: string; id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
  const attrs = ev.Actor?.Attributes ?? {};
  const e: RuntimeEvent = { type: (ev.Action ?? ev.status) as RuntimeEvent['type'], containerId: ev.Actor?.ID ?? ev.id ?? '' };
  if (attrs[LABEL_POD_UID]) e.podUid = attrs[LABEL_POD_UID];
  if (attrs[LABEL_CONTAINER_NAME]) e.name = attrs[LABEL_CONTAINER_NAME];
  if (attrs.exitCode !== undefined) e.exitCode = Number(attrs.exitCode);
  return e;
}

/** Calls `cb` for each event until the returned function is called. */
export function subscribeEngineEvents(docker: Docker, ownerNode: string, log: Logger, cb: (e: RuntimeEvent) => void): () => void {
  let stream: Readable | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  const filters = { type: ['container' as const], event: ['start', 'die', 'oom'], label: [`${LABEL_OWNER}=${ownerNode}`] };
  const reconnect = () => {
    if (closed || retry) return;
    retry = setTimeout(() => { retry = undefined; connect(); }, 1000);
  };
  const connect = () => {
    docker.getEvents({ filters }).then((s) => {
      stream = s as unknown as Readable;
      if (closed) { stream.destroy(); return; }
      let pending = '';
      stream.on('data', (chunk: Buffer) => {
        pending += chunk.toString();
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (!line) continue;
          let e: RuntimeEvent;
          try {
            e = parseEvent(line);
          } catch (err) {
            log.warn('unreadable engine event', { err: String(err) });
            continue;
          }
          cb(e);
        }
      });
      stream.on('error', (err) => { log.warn('event stream failed', { err: String(err) }); reconnect(); });
      stream.on('end', reconnect);
    }, (err: unknown) => { log.warn('cannot subscribe to engine events', { err: String(err) }); reconnect(); });
  };
  connect();
  return () => {
    closed = true;
    if (retry) clearTimeout(retry);
    stream?.destroy();
  };
}
