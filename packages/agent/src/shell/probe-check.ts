/**
 * One probe check: exec (exit 0), httpGet (status 200-399) or tcpSocket
 * (connects), each bounded by timeoutSeconds. HTTP and TCP checks reach the
 * pod's IP from the node, as the kubelet does.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Container, LifecycleHandler, Probe } from '@shoal/api';
import type { ContainerRuntime } from '@shoal/runtime';
import { resolvePort } from './ports.js';

export interface ProbeTarget {
  containerId: string;
  container: Container;
  podIP?: string;
}

export type CheckResult = { ok: true } | { ok: false; message: string };

function httpCheck(p: NonNullable<Probe['httpGet']>, t: ProbeTarget, timeoutMs: number): Promise<CheckResult> {
  const port = resolvePort(p.port, t.container);
  const host = p.host ?? t.podIP;
  if (port === undefined || !host) return Promise.resolve({ ok: false, message: `no address for httpGet port ${String(p.port)}` });
  const mod = p.scheme === 'HTTPS' ? https : http;
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'User-Agent': 'shoal-probe/1.0', Connection: 'close' };
    for (const h of p.httpHeaders ?? []) headers[h.name] = h.value;
    let settled = false;
    const finish = (r: CheckResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    // A fresh connection per check (no keep-alive pool), cut off at the timeout
    // whether it is connecting, waiting or reading.
    const req = mod.request({ host, port, path: p.path ?? '/', method: 'GET', headers, agent: false, rejectUnauthorized: false }, (res) => {
      const code = res.statusCode ?? 0;
      res.resume();
      finish(code >= 200 && code < 400 ? { ok: true } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
    });
    const timer = setTimeout(() => finish({ ok: false, message: `Get http://${host}:${port}${p.path ?? '/'}: timeout after ${timeoutMs} ms` }), timeoutMs);
    req.on('error', (err) => finish({ ok: false, message: `Get http://${host}:${port}${p.path ?? '/'}: ${err.message}` }));
    req.end();
  });
}

function tcpCheck(p: NonNullable<Probe['tcpSocket']>, t: ProbeTarget, timeoutMs: number): Promise<CheckResult> {
  const port = resolvePort(p.port, t.container);
  const host = p.host ?? t.podIP;
  if (port === undefined || !host) return Promise.resolve({ ok: false, message: `no address for tcpSocket port ${String(p.port)}` });
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (r: CheckResult) => { s.destroy(); resolve(r); };
    s.setTimeout(timeoutMs, () => done({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` }));
    s.on('connect', () => done({ ok: true }));
    s.on('error', (err) => done({ ok: false, message: `dial tcp ${host}:${port}: ${err.message}` }));
  });
}

/** A postStart or preStop hook, bounded by `timeoutSeconds`; `sleep` just waits (at most that long). */
export async function runHook(runtime: ContainerRuntime, hook: LifecycleHandler, timeoutSeconds: number, t: ProbeTarget): Promise<CheckResult> {
  if (hook.sleep) {
    await new Promise((r) => setTimeout(r, Math.min(hook.sleep!.seconds, timeoutSeconds) * 1000));
    return { ok: true };
  }
  return runCheck(runtime, { ...hook, timeoutSeconds }, t);
}

export async function runCheck(runtime: ContainerRuntime, probe: Probe, t: ProbeTarget): Promise<CheckResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.exec) {
    try {
      const r = await runtime.exec(t.containerId, probe.exec.command, { timeoutMs });
      return r.exitCode === 0 ? { ok: true } : { ok: false, message: `exec exited ${r.exitCode}: ${(r.stdout + r.stderr).trim().slice(0, 200)}` };
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
  }
  if (probe.httpGet) return httpCheck(probe.httpGet, t, timeoutMs);
  if (probe.tcpSocket) return tcpCheck(probe.tcpSocket, t, timeoutMs);
  return { ok: false, message: 'probe has no handler (exec, httpGet or tcpSocket)' };
}
