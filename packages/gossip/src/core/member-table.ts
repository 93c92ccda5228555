/**
 * The members one member knows (itself included), with cheap random picks
 * among the others: names sit in an array, and a removal swaps the last name
 * into the hole.
 */
import { shuffle, type Rand } from './rand.js';
import type { MemberInfo } from './types.js';

export class MemberTable {
  private readonly byName = new Map<string, MemberInfo>();
  private readonly others: string[] = [];
  private readonly position = new Map<string, number>();

  constructor(private readonly selfName: string, private readonly rand: Rand) {}

  get size(): number {
    return this.byName.size;
  }

  get(name: string): MemberInfo | undefined {
    return this.byName.get(name);
  }

  values(): IterableIterator<MemberInfo> {
    return this.byName.values();
  }

  add(m: MemberInfo): void {
    if (this.byName.has(m.name)) return;
    this.byName.set(m.name, m);
    if (m.name === this.selfName) return;
    this.position.set(m.name, this.others.length);
    this.others.push(m.name);
  }

  remove(name: string): void {
    if (!this.byName.delete(name)) return;
    const i = this.position.get(name);
    if (i === undefined) return;
    const last = this.others.pop() as string;
    if (last !== name) {
      this.others[i] = last;
      this.position.set(last, i);
    }
    this.position.delete(name);
  }

  /** Up to k distinct other members accepted by `ok`, at random. */
  pick(k: number, ok: (name: string) => boolean): string[] {
    const n = this.others.length;
    const res: string[] = [];
    if (k <= 0 || n === 0) return res;
    if (n > 4 * k) {
      // Big table: a few random draws almost always find k.
      for (let tries = 0; tries < 8 * k && res.length < k; tries++) {
        const name = this.others[this.rand.intn(n)] as string;
        if (!res.includes(name) && ok(name)) res.push(name);
      }
      if (res.length === k) return res;
    }
    const all = this.others.filter((name) => !res.includes(name) && ok(name));
    shuffle(this.rand, all);
    return res.concat(all.slice(0, k - res.length));
  }
}
