/**
 * The contract every `ContainerRuntime` must keep. `FakeRuntime` runs it in
 * the unit tier (fake-runtime.test.ts), `DockerRuntime` against the real
 * engine in the end-to-end tier (test/e2e/runtime-docker.test.ts).
 */
import type { Test } from 'tap';
import {
  ImageNotPresentError, NotOwnedError, runSandbox, SandboxNotRunningError, LABEL_ATTEMPT, LABEL_CONTAINER_NAME, LABEL_NODE, LABEL_OWNER,
  LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID,
  type ContainerRuntime, type ContainerSpec, type RuntimeEvent, type SandboxSpec,
} from '@shoal/runtime';

/** How the suite makes containers behave on a given runtime. */
export interface ComplianceHarness {
  /** A runtime scoped to `ownerNode`; all share one engine. */
  runtime(ownerNode: string): ContainerRuntime;
  /** An image present on the engine. */
  image: string;
  /** An entrypoint that prints `line`, then runs until SIGTERM (exits on it). */
  runForever(line: string): string[];
  /** An entrypoint that prints `line` and exits with `code`. */
  exitWith(code: number, line: string): string[];
  /** An entrypoint that ignores SIGTERM and then prints `ready`. */
  ignoreTerm(): string[];
  /** An entrypoint that allocates far more than 20Mi. */
  allocate(): string[];
  /** An exec command printing `out` to stdout, `err` to stderr, exiting `code`. */
  execPrint(out: string, err: string, code: number): string[];
  /** Removes whatever `ownerNode` left behind. */
  cleanup(ownerNode: string): Promise<void>;
}

let seq = 0;

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function readAll(s: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString();
}

export function runtimeCompliance(t: Test, h: ComplianceHarness, prefix: string): void {
  const run = `${prefix}-${process.pid}-${Date.now().toString(36)}`;
  const nodeA = `${run}-a`;
  const nodeB = `${run}-b`;
  const a = h.runtime(nodeA);
  const b = h.runtime(nodeB);
  t.teardown(async () => {
    await h.cleanup(nodeA);
    await h.cleanup(nodeB);
    await a.close();
    await b.close();
  });

  const pod = (name: string) => ({ uid: `uid-${run}-${++seq}`, namespace: 'default', name });
  const sandboxSpec = (p: ReturnType<typeof pod>): SandboxSpec => ({ pod: p, nodeName: nodeA, attempt: 0, hostname: p.name, portMappings: [], terminationGraceSeconds: 1 });
  const containerSpec = (p: ReturnType<typeof pod>, name: string, entrypoint: string[], extra: Partial<ContainerSpec> = {}): ContainerSpec => ({
    pod: p, nodeName: nodeA, name, attempt: 0, image: h.image, entrypoint, cmd: [], env: ['GREETING=hi'], mounts: [], resources: {}, terminationGraceSeconds: 1, ...extra,
  });

  t.test('a sandbox runs with an IP and the pod labels, seen only by its owner', async (t) => {
    const p = pod('sb');
    const sb = await runSandbox(a, sandboxSpec(p));
    t.equal(sb.state, 'running');
    t.ok(sb.ip && /^\d+\.\d+\.\d+\.\d+$/.test(sb.ip), `has an IPv4 address (${sb.ip})`);
    t.equal(sb.labels[LABEL_POD_UID], p.uid);
    t.equal(sb.labels[LABEL_OWNER], nodeA);
    t.same(sb.pod, p);
    t.same((await a.listSandboxes({ podUid: p.uid })).map((s) => s.id), [sb.id], 'listed by pod uid');
    t.same(await b.listSandboxes(), [], 'another node sees none of it');
    await t.rejects(b.stopSandbox(sb.id, 0), NotOwnedError, 'another node may not stop it');
    await t.rejects(b.removeSandbox(sb.id), NotOwnedError, 'nor remove it');
    await a.stopSandbox(sb.id, 1);
    t.equal((await a.inspectSandbox(sb.id))?.state, 'exited');
    await a.stopSandbox(sb.id, 1); // idempotent
    await a.removeSandbox(sb.id);
    t.equal(await a.inspectSandbox(sb.id), undefined, 'gone');
    await a.removeSandbox(sb.id); // idempotent
  });

  t.test('a container joins the sandbox, logs, execs and stops', async (t) => {
    const p = pod('web');
    const sb = await runSandbox(a, sandboxSpec(p));
    const id = await a.createContainer(sb.id, containerSpec(p, 'app', h.runForever('hello compliance'), { attempt: 2 }));
    let c = await a.inspectContainer(id);
    t.equal(c?.state, 'created');
    await a.startContainer(id);
    c = await a.inspectContainer(id);
    t.equal(c?.state, 'running');
    t.equal(c?.name, 'app');
    t.equal(c?.attempt, 2);
    t.same(c?.pod, p);
    for (const k of [LABEL_POD_UID, LABEL_POD_NAMESPACE, LABEL_POD_NAME, LABEL_CONTAINER_NAME, LABEL_NODE, LABEL_ATTEMPT, LABEL_OWNER]) t.ok(c?.labels[k], `label ${k}`);
    t.ok(c?.startedAt, 'startedAt set');
    t.same((await a.listContainers({ podUid: p.uid })).map((x) => x.id), [id]);
    t.same(await b.listContainers(), [], 'another node sees none of it');
    await t.rejects(b.stopContainer(id, 0), NotOwnedError);

    const logs = await waitFor('log line', async () => {
      const text = await readAll(await a.logs(id));
      return text.includes('hello compliance') ? text : undefined;
    });
    t.match(logs, /hello compliance/);

    const ex = await a.exec(id, h.execPrint('to-out', 'to-err', 3));
    t.equal(ex.exitCode, 3, 'exec exit code');
    t.match(ex.stdout, /to-out/);
    t.match(ex.stderr, /to-err/);
    t.notMatch(ex.stdout, /to-err/, 'stderr kept apart');

    const st = await a.stats(id);
    t.type(st.memoryUsageBytes, 'number');

    await a.stopContainer(id, 5);
    c = await a.inspectContainer(id);
    t.equal(c?.state, 'exited');
    t.type(c?.exitCode, 'number');
    t.ok(c?.finishedAt, 'finishedAt set');
    await a.removeContainer(id);
    t.equal(await a.inspectContainer(id), undefined);
    await a.removeSandbox(sb.id);
  });

  t.test('containers can be created while the sandbox is still being set up', async (t) => {
    const p = pod('early');
    const sbId = await a.createSandbox(sandboxSpec(p));
    t.equal((await a.inspectSandbox(sbId))?.state, 'created');
    const id = await a.createContainer(sbId, containerSpec(p, 'app', h.runForever('early bird')));
    const sb = await a.startSandbox(sbId);
    t.equal(sb.state, 'running');
    t.ok(sb.ip);
    await a.startContainer(id);
    t.equal((await a.inspectContainer(id))?.state, 'running');
    await a.removeContainer(id);
    await a.removeSandbox(sbId);
  });

  t.test('a container joins only a live sandbox of its own node', async (t) => {
    const p = pod('refused');
    const sb = await runSandbox(a, sandboxSpec(p));
    await t.rejects(b.createContainer(sb.id, containerSpec(p, 'app', h.runForever('x'))), NotOwnedError, "not another node's sandbox");
    await a.stopSandbox(sb.id, 1);
    await t.rejects(a.createContainer(sb.id, containerSpec(p, 'app', h.runForever('x'))), SandboxNotRunningError, 'not an exited one');
    await a.removeSandbox(sb.id);
    await t.rejects(a.createContainer(sb.id, containerSpec(p, 'app', h.runForever('x'))), SandboxNotRunningError, 'nor a removed one');
  });

  t.test('exit codes and die events are reported', async (t) => {
    const p = pod('exit');
    const events: RuntimeEvent[] = [];
    const off = a.subscribe((e) => events.push(e));
    const offB = b.subscribe((e) => t.fail(`node B saw an event of node A: ${e.type}`));
    t.teardown(() => { off(); offB(); });
    const sb = await runSandbox(a, sandboxSpec(p));
    const id = await a.createContainer(sb.id, containerSpec(p, 'job', h.exitWith(3, 'bye')));
    await a.startContainer(id);
    const c = await waitFor('exit', async () => {
      const i = await a.inspectContainer(id);
      return i?.state === 'exited' ? i : undefined;
    });
    t.equal(c.exitCode, 3);
    t.equal(c.oomKilled, false);
    const die = await waitFor('die event', async () => events.find((e) => e.type === 'die' && e.containerId === id));
    t.equal(die.exitCode, 3, 'die event carries the exit code');
    t.equal(die.podUid, p.uid);
    const logs = await readAll(await a.logs(id, { tail: 1 }));
    t.match(logs, /bye/, 'logs of an exited container remain');
    await a.removeSandbox(sb.id);
    await a.removeContainer(id);
  });

  t.test('a follow log stream ends when the container stops', async (t) => {
    const p = pod('follow');
    const sb = await runSandbox(a, sandboxSpec(p));
    const id = await a.createContainer(sb.id, containerSpec(p, 'app', h.runForever('first')));
    await a.startContainer(id);
    await waitFor('first line', async () => (await readAll(await a.logs(id))).includes('first'));
    const stream = await a.logs(id, { follow: true });
    const text = readAll(stream);
    await a.stopContainer(id, 2);
    t.match(await text, /first/);
    await a.removeContainer(id);
    await a.removeSandbox(sb.id);
  });

  t.test('a container ignoring SIGTERM is killed after the grace period', async (t) => {
    const p = pod('stubborn');
    const sb = await runSandbox(a, sandboxSpec(p));
    const id = await a.createContainer(sb.id, containerSpec(p, 'app', h.ignoreTerm()));
    await a.startContainer(id);
    // Stop only once it has set up its signal handling.
    await waitFor('ready', async () => (await readAll(await a.logs(id))).includes('ready'));
    await a.stopContainer(id, 1);
    const c = await a.inspectContainer(id);
    t.equal(c?.state, 'exited');
    t.equal(c?.exitCode, 137, 'SIGKILLed');
    await a.removeContainer(id);
    await a.removeSandbox(sb.id);
  });

  t.test('a memory limit OOM-kills and is reported', async (t) => {
    const p = pod('oom');
    const sb = await runSandbox(a, sandboxSpec(p));
    const id = await a.createContainer(sb.id, containerSpec(p, 'hog', h.allocate(), { resources: { memoryBytes: 20 * 2 ** 20 } }));
    await a.startContainer(id);
    const c = await waitFor('oom', async () => {
      const i = await a.inspectContainer(id);
      return i?.state === 'exited' ? i : undefined;
    });
    t.equal(c.oomKilled, true, 'oomKilled');
    t.not(c.exitCode, 0);
    await a.removeContainer(id);
    await a.removeSandbox(sb.id);
  });

  t.test('a missing image is refused by name', async (t) => {
    const p = pod('noimg');
    const missing = `shoal/missing-${run}:v1`;
    t.equal(await a.hasImage(missing), false);
    t.equal(await a.hasImage(h.image), true);
    const sb = await runSandbox(a, sandboxSpec(p));
    const err = await a.createContainer(sb.id, containerSpec(p, 'app', h.runForever('x'), { image: missing })).then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof ImageNotPresentError, 'ImageNotPresentError');
    t.equal((err as ImageNotPresentError).image, missing);
    await a.removeSandbox(sb.id);
  });

  t.test('named volumes are created, listed by owner and removed', async (t) => {
    const name = `shoal-test-${run}-vol`;
    await a.createVolume(name, { labels: { 'io.shoal.volume-kind': 'pv' } });
    await a.createVolume(name); // idempotent
    t.ok((await a.listVolumes()).some((v) => v.name === name && v.labels['io.shoal.volume-kind'] === 'pv'));
    t.notOk((await b.listVolumes()).some((v) => v.name === name), 'another node does not list it');
    await t.rejects(b.removeVolume(name), NotOwnedError);
    await a.removeVolume(name);
    t.notOk((await a.listVolumes()).some((v) => v.name === name));
    await a.removeVolume(name); // idempotent
  });

  t.test('node resources are reported', async (t) => {
    const r = await a.nodeResources();
    t.ok(r.cpus > 0);
    t.ok(r.memoryBytes > 0);
    t.ok(r.runtimeVersion.length > 0);
  });
}
