/**
 * Snapshot data lives in files beside the LevelDB log, one per snapshot,
 * named by index and term, while LevelDB keeps a small reference record
 * (the snapshot's metadata). A state of many megabytes written into LevelDB
 * went through its write-ahead log and memtable: the next synced save had to
 * flush it, and every node's writes stalled for the time. A file is written
 * and fsynced on libuv's thread pool, beside the log's own writes.
 *
 * File layout: a CRC-32 of the data (4 bytes, big-endian), then the data.
 * A file is written under a temporary name (`<name>.<n>.tmp`), fsynced,
 * renamed, and the directory fsynced, so a file with the final name is
 * always whole.
 */
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { SnapshotMetadata } from '@shoal/raft';
import { CorruptLogError } from './errors.js';

/** Bytes checksummed per event-loop turn: about a millisecond each. */
const CRC_SLICE = 1 << 20;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class SnapshotFiles {
  /** Numbers the temporary files, so two writes of one snapshot never share one. */
  private seq = 0;

  constructor(
    readonly dir: string,
    /** The log store's path, for errors. */
    private readonly storePath: string,
  ) {}

  static fileName(meta: Pick<SnapshotMetadata, 'index' | 'term'>): string {
    return `${meta.index.toString(16).padStart(16, '0')}-${meta.term.toString(16).padStart(16, '0')}.snap`;
  }

  /** The index a snapshot file's name stands for, or undefined for other names. */
  static indexOf(name: string): number | undefined {
    const m = /^([0-9a-f]{16})-[0-9a-f]{16}\.snap$/.exec(name);
    return m ? parseInt(m[1]!, 16) : undefined;
  }

  /** Writes the data durably under the snapshot's name. */
  async write(meta: Pick<SnapshotMetadata, 'index' | 'term'>, data: Uint8Array): Promise<void> {
    // A directory made here is itself made durable: its entry in the parent.
    if (await mkdir(this.dir, { recursive: true }) !== undefined) await syncDir(dirname(this.dir));
    const header = new Uint8Array(4);
    new DataView(header.buffer).setUint32(0, await crc32InSlices(data));
    const name = SnapshotFiles.fileName(meta);
    const tmp = join(this.dir, `${name}.${++this.seq}.tmp`);
    try {
      const fh = await open(tmp, 'w');
      try {
        await writeAll(fh, header);
        await writeAll(fh, data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, join(this.dir, name));
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    await syncDir(this.dir);
  }

  /** The data of the snapshot the reference names; a missing or damaged file is a CorruptLogError. */
  async read(meta: Pick<SnapshotMetadata, 'index' | 'term'>): Promise<Uint8Array> {
    const name = SnapshotFiles.fileName(meta);
    let file: Buffer;
    try {
      file = await readFile(join(this.dir, name));
    } catch (err) {
      throw new CorruptLogError(this.storePath, 'snapshot', `file ${join(this.dir, name)} unreadable: ${(err as Error).message}`, { cause: err });
    }
    if (file.length < 4) throw new CorruptLogError(this.storePath, 'snapshot', `file ${name} is truncated`);
    const data = file.subarray(4);
    if (crc32(data) !== file.readUInt32BE(0)) {
      throw new CorruptLogError(this.storePath, 'snapshot', `file ${name}: checksum mismatch (torn or corrupt)`);
    }
    return data;
  }

  /**
   * Removes snapshot files older than `index`, and with `all` also every
   * other file but the one for `index` (half-written `.tmp` files, newer
   * files never referenced): only when no write can be in flight, at load.
   */
  async prune(index: number, all = false): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const at = SnapshotFiles.indexOf(name);
      const stale = at === undefined ? all && /\.snap\.\d+\.tmp$/.test(name) : at < index || (all && at !== index);
      if (stale) await rm(join(this.dir, name), { force: true });
    }
  }

  /** Removes the file of one snapshot, if it is there. */
  async remove(meta: Pick<SnapshotMetadata, 'index' | 'term'>): Promise<void> {
    await rm(join(this.dir, SnapshotFiles.fileName(meta)), { force: true });
  }

}

/** fsync of a directory, so the names created in it survive a crash. */
async function syncDir(dir: string): Promise<void> {
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

async function writeAll(fh: import('node:fs/promises').FileHandle, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, off, bytes.length - off);
    off += bytesWritten;
  }
}

/** CRC-32 of `data`, a slice per event-loop turn so a large state does not stall the node. */
export async function crc32InSlices(data: Uint8Array): Promise<number> {
  let crc = 0;
  for (let off = 0; off < data.length; off += CRC_SLICE) {
    if (off > 0) await nextTurn();
    crc = crc32(data.subarray(off, off + CRC_SLICE), crc);
  }
  return crc;
}
