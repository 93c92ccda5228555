// The pipeline proof: through dockerode, run a container from the locally
// built shoal/busybox image, read what it printed, and remove it.
import t from 'tap';
import Docker from 'dockerode';
import { PassThrough } from 'node:stream';

const docker = new Docker();

t.test('a shoal/busybox container runs through dockerode and is removed', async (t) => {
  const name = `shoal-e2e-pipeline-${process.pid}`;
  t.teardown(async () => {
    await docker.getContainer(name).remove({ force: true }).catch(() => {});
  });

  const info = await docker.version();
  t.match(info.Version, /^\d+\./, `real engine answers (Docker ${info.Version})`);

  const container = await docker.createContainer({
    name,
    Image: 'shoal/busybox:latest',
    Cmd: ['sh', '-c', 'echo "hello from $(uname -s) pid $$"; echo oops >&2; exit 3'],
    Labels: { 'io.shoal.test': 'e2e-pipeline' },
  });
  await container.start();
  const exit = (await container.wait()) as { StatusCode: number };
  t.equal(exit.StatusCode, 3, 'exit code is reported');

  const raw = await container.logs({ stdout: true, stderr: true, follow: false });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const so = new PassThrough().on('data', (b: Buffer) => out.push(b));
  const se = new PassThrough().on('data', (b: Buffer) => err.push(b));
  // Non-TTY logs are multiplexed; split them as Docker framed them.
  const buf = raw as unknown as Buffer;
  let off = 0;
  while (off + 8 <= buf.length) {
    const stream = buf[off];
    const len = buf.readUInt32BE(off + 4);
    (stream === 2 ? se : so).write(buf.subarray(off + 8, off + 8 + len));
    off += 8 + len;
  }
  t.equal(Buffer.concat(out).toString(), 'hello from Linux pid 1\n', 'stdout read back');
  t.equal(Buffer.concat(err).toString(), 'oops\n', 'stderr kept apart');

  await container.remove();
  const left = await docker.listContainers({ all: true, filters: { name: [name] } });
  t.equal(left.length, 0, 'container removed');
});
