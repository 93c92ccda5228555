import t from 'tap';
import { demuxBuffer, FrameSplitter } from '../src/docker/demux.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(payload.length, 4);
  return Buffer.concat([h, payload]);
}

t.test('a whole buffer splits into stdout and stderr, order kept', async (t) => {
  const f = demuxBuffer(Buffer.concat([frame(1, 'a\n'), frame(2, 'oops\n'), frame(1, 'b\n')]));
  t.equal(Buffer.concat(f.stdout).toString(), 'a\nb\n');
  t.equal(Buffer.concat(f.stderr).toString(), 'oops\n');
  t.equal(Buffer.concat(f.all).toString(), 'a\noops\nb\n');
});

t.test('frames cut anywhere across chunks are put back together', async (t) => {
  const all = Buffer.concat([frame(1, 'hello '), frame(2, 'err'), frame(1, 'world')]);
  for (let cut = 1; cut < all.length; cut++) {
    const got: string[] = [];
    const s = new FrameSplitter((stream, p) => got.push(`${stream}:${p.toString()}`));
    s.push(all.subarray(0, cut));
    s.push(all.subarray(cut));
    t.same(got, ['1:hello ', '2:err', '1:world'], `cut at ${cut}`);
  }
});
