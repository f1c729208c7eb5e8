/**
 * RowPacker: keeps flat records of numbers and booleans (the memoised TcpFrameAnalysis and its
 * `facts`) in Float64Array columns instead of one heap object per frame, and rebuilds an equal
 * object on demand.
 *
 * Why: the web UI retains every frame of a capture. Kept as objects, the analysis and its facts
 * were ~180 MB of the ~300 MB heap of a 300k-frame capture, and since every one of them survives,
 * each young-generation GC copied them: measured in bench/ui.bench.ts, GC took ~1 s of a 2.2 s
 * ingest, with scavenge pauses of 50-86 ms on the loaded 2-core machine (the server's event loop
 * stalls, and its GC threads take CPU from the browser). Typed arrays are not scanned or copied.
 *
 * The shape is learnt from the first record packed: its own keys in their order, each one a
 * number, a boolean, an array of numbers (kept by reference when non-empty) or a nested record
 * or undefined (packed by a nested RowPacker). A record that does not fit that shape is kept as
 * the object itself, so unpack() always returns what was packed (deep-equal, same key order).
 * Rows are addressed by an id (the frame number); drop(below) releases the rows of trimmed frames.
 */

/** Rows per column chunk. */
const CHUNK = 1 << 14;

const NUM = 0, BOOL = 1, ARRAY = 2, NESTED = 3;

const EMPTY: readonly number[] = Object.freeze([]) as readonly number[];

type Packer = (c: Float64Array, b: number, id: number, o: Record<string, unknown>, A: Map<number, readonly number[]>, self: RowPacker,
  isArr: (v: unknown) => boolean, isObj: (v: unknown) => boolean) => boolean;
type Unpacker = (c: Float64Array, b: number, id: number, E: readonly number[], A: Map<number, readonly number[]>, N: (RowPacker | undefined)[]) => object;

export class RowPacker {
  private keys: string[] | undefined;
  private kinds: number[] = [];
  private nested: (RowPacker | undefined)[] = [];
  /** Chunk index → rows of 1 + keys.length slots (presence, then one value per key). */
  private readonly chunks = new Map<number, Float64Array>();
  /** Non-empty arrays, keyed by id * 64 + key index, in ascending key order (ids only grow). */
  private readonly arrays = new Map<number, readonly number[]>();
  private packer: Packer | undefined;
  private unpacker: Unpacker | undefined;
  /** Records that did not fit the shape, by id. */
  private readonly loose = new Map<number, object>();

  /** Packs `o` as row `id` (ids must grow). */
  pack(id: number, o: object): void {
    const r = o as Record<string, unknown>;
    if (this.keys === undefined) this.learn(r);
    const keys = this.keys!;
    if (keys.length > 63 || !sameKeyCount(r, keys.length)) {
      this.loose.set(id, o);
      return;
    }
    const w = keys.length + 1;
    const c = id >>> 14;
    let chunk = this.chunks.get(c);
    if (chunk === undefined) this.chunks.set(c, (chunk = new Float64Array(CHUNK * w)));
    // Slot 0 says the row is present (rows of ids never packed stay 0). Values are checked
    // against the learnt kinds as they are written; on a mismatch the row stays absent.
    const base = (id & (CHUNK - 1)) * w;
    this.packer ??= this.compilePacker();
    if (this.packer(chunk, base, id, r, this.arrays, this, isNumberArray, isPlainObject)) chunk[base] = 1;
    else this.withdraw(id, o);
  }

  /** Packs a nested record (key index i) as row `id` of its own packer. */
  packNested(i: number, id: number, v: object): void {
    (this.nested[i] ??= new RowPacker()).pack(id, v);
  }

  /** The writer of one row, generated for the learnt keys (as compileUnpacker, for the same reason). */
  private compilePacker(): Packer {
    const body = this.keys!.map((k, i) => {
      const v = `o[${JSON.stringify(k)}]`;
      const at = `c[b + ${i + 1}]`;
      switch (this.kinds[i]) {
        case NUM: return `v = ${v}; if (typeof v !== 'number') return false; ${at} = v;`;
        case BOOL: return `v = ${v}; if (typeof v !== 'boolean') return false; ${at} = v ? 1 : 0;`;
        case ARRAY: return `v = ${v}; if (!isArr(v)) return false; ${at} = v.length; if (v.length > 0) A.set(id * 64 + ${i}, v);`;
        default: return `v = ${v}; if (v === undefined) { if (!(${JSON.stringify(k)} in o)) return false; ${at} = 0; } else { if (!isObj(v)) return false; ${at} = 1; self.packNested(${i}, id, v); }`;
      }
    });
    // Generated from the learnt keys (JSON-quoted), never from packet bytes.
    return new Function('c', 'b', 'id', 'o', 'A', 'self', 'isArr', 'isObj', `let v; ${body.join('\n')} return true;`) as Packer;
  }

  /** Keeps `o` itself for `id` (it does not fit the learnt shape). */
  private withdraw(id: number, o: object): void {
    for (let i = 0; i < this.kinds.length; i++) this.arrays.delete(id * 64 + i);
    this.loose.set(id, o);
  }

  /** The record packed as row `id` (a new object equal to it), or undefined. */
  unpack<T>(id: number): T | undefined {
    const l = this.loose.get(id);
    if (l !== undefined) return l as T;
    const keys = this.keys;
    const chunk = this.chunks.get(id >>> 14);
    if (keys === undefined || chunk === undefined) return undefined;
    const base = (id & (CHUNK - 1)) * (keys.length + 1);
    if (chunk[base] !== 1) return undefined;
    this.unpacker ??= this.compileUnpacker();
    return this.unpacker(chunk, base, id, EMPTY, this.arrays, this.nested) as T;
  }

  /**
   * A function building the record as one object literal over the learnt keys (generated once
   * per shape, the way pino and fast-json-stringify compile serialisers): every unpacked record
   * gets the same hidden class with in-object fields. Assigning 40 computed keys one by one went
   * through V8's generic keyed stores and made a filter's pass over 300k frames ~6x slower.
   */
  private compileUnpacker(): Unpacker {
    const fields = this.keys!.map((k, i) => {
      const key = JSON.stringify(k);
      const at = `c[b + ${i + 1}]`;
      switch (this.kinds[i]) {
        case NUM: return `${key}: ${at}`;
        case BOOL: return `${key}: ${at} === 1`;
        case ARRAY: return `${key}: ${at} === 0 ? E : (A.get(id * 64 + ${i}) ?? E)`;
        default: return `${key}: ${at} === 0 || N[${i}] === undefined ? undefined : N[${i}].unpack(id)`;
      }
    });
    // Generated from the learnt keys (JSON-quoted), never from packet bytes.
    return new Function('c', 'b', 'id', 'E', 'A', 'N', `return { ${fields.join(', ')} };`) as Unpacker;
  }

  /** Releases every row with an id below `id` (whole chunks, and the side tables). */
  drop(id: number): void {
    for (const c of this.chunks.keys()) if ((c + 1) * CHUNK <= id) this.chunks.delete(c);
    for (const k of this.arrays.keys()) {
      if (k >= id * 64) break;
      this.arrays.delete(k);
    }
    for (const k of this.loose.keys()) {
      if (k >= id) break;
      this.loose.delete(k);
    }
    for (const n of this.nested) n?.drop(id);
  }

  private learn(r: Record<string, unknown>): void {
    this.keys = Object.keys(r);
    this.kinds = this.keys.map((k) => {
      const v = r[k];
      if (typeof v === 'number') return NUM;
      if (typeof v === 'boolean') return BOOL;
      if (Array.isArray(v)) return ARRAY;
      return NESTED;
    });
  }
}

/** Whether `r` has exactly `n` enumerable keys (with the per-key checks of pack(): the same keys). */
function sameKeyCount(r: object, n: number): boolean {
  let c = 0;
  for (const _k in r) c++;
  return c === n;
}

function isNumberArray(v: unknown): v is readonly number[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'number') return false;
  return true;
}

function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}
