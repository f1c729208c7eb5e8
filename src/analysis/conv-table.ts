/**
 * Conv4Table: the TCP analysis' conversations over IPv4, keyed by three 32-bit numbers (the two
 * addresses and both ports, in the canonical order of analysis/flow.ts) instead of a string.
 * Open addressing with linear probing and backward-shift deletion (no tombstones, so lookups
 * stay short after many evictions); at most half full.
 *
 * Why not a Map<string>: the analysis looks a conversation up once per frame, and building the
 * key string, hashing it and the {key, srcIsFlow1} object cost ~4 % of a flags-filter read
 * (BENCHMARKS.md, "read: session 5"). Keys here are plain numbers in typed arrays.
 */
export class Conv4Table<T extends object> {
  private mask: number;
  private ka: Int32Array;
  private kb: Int32Array;
  private kp: Int32Array;
  private vals: (T | undefined)[];
  private n = 0;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.mask = cap - 1;
    this.ka = new Int32Array(cap);
    this.kb = new Int32Array(cap);
    this.kp = new Int32Array(cap);
    this.vals = new Array<T | undefined>(cap).fill(undefined);
  }

  /** Entries held. */
  get size(): number {
    return this.n;
  }

  private home(a: number, b: number, p: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ 0x7f4a7c15, 0x85ebca6b) ^ Math.imul(p, 0xc2b2ae35);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 13;
    return h & this.mask;
  }

  /** The value of key (a, b, p) (each an int32: pass `x | 0`), or undefined. */
  get(a: number, b: number, p: number): T | undefined {
    const mask = this.mask;
    const vals = this.vals;
    for (let i = this.home(a, b, p); ; i = (i + 1) & mask) {
      const v = vals[i];
      if (v === undefined) return undefined;
      if (this.ka[i] === a && this.kb[i] === b && this.kp[i] === p) return v;
    }
  }

  /** Sets key (a, b, p) to v (replacing an existing value). */
  set(a: number, b: number, p: number, v: T): void {
    if ((this.n + 1) * 2 > this.vals.length) this.grow();
    const mask = this.mask;
    let i = this.home(a, b, p);
    for (; this.vals[i] !== undefined; i = (i + 1) & mask) {
      if (this.ka[i] === a && this.kb[i] === b && this.kp[i] === p) {
        this.vals[i] = v;
        return;
      }
    }
    this.ka[i] = a;
    this.kb[i] = b;
    this.kp[i] = p;
    this.vals[i] = v;
    this.n++;
  }

  /** Removes key (a, b, p); true when it was there. */
  delete(a: number, b: number, p: number): boolean {
    const mask = this.mask;
    const vals = this.vals;
    let i = this.home(a, b, p);
    for (; ; i = (i + 1) & mask) {
      if (vals[i] === undefined) return false;
      if (this.ka[i] === a && this.kb[i] === b && this.kp[i] === p) break;
    }
    // Backward shift: move later entries of the probe run into the hole when their home slot
    // does not lie (cyclically) after the hole.
    vals[i] = undefined;
    for (let j = (i + 1) & mask; vals[j] !== undefined; j = (j + 1) & mask) {
      const k = this.home(this.ka[j]!, this.kb[j]!, this.kp[j]!);
      const stays = i <= j ? i < k && k <= j : i < k || k <= j;
      if (stays) continue;
      this.ka[i] = this.ka[j]!;
      this.kb[i] = this.kb[j]!;
      this.kp[i] = this.kp[j]!;
      vals[i] = vals[j];
      vals[j] = undefined;
      i = j;
    }
    this.n--;
    return true;
  }

  private grow(): void {
    const { ka, kb, kp, vals } = this;
    const cap = vals.length * 2;
    this.mask = cap - 1;
    this.ka = new Int32Array(cap);
    this.kb = new Int32Array(cap);
    this.kp = new Int32Array(cap);
    this.vals = new Array<T | undefined>(cap).fill(undefined);
    this.n = 0;
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i];
      if (v !== undefined) this.set(ka[i]!, kb[i]!, kp[i]!, v);
    }
  }
}
