/**
 * Snapshots: what a stepper carries from one generation to the next, per replicate, taken at
 * the end of a completed generation and restored into a fresh stepper (resume from a
 * checkpoint, recovery from a lost device). Everything else a generation uses is either fixed
 * by the spec or started afresh by the next generation, so a restored stepper continues
 * exactly as the original would have.
 *
 * A snapshot is named typed arrays, cell-major then replicate order (independent of how a
 * backend chunks its replicates), in the backend's own representation: a GPU host's state rows
 * (f32, u32 counts), a twin's float64 arrays. It is restored only into a stepper of the same
 * backend kind and cells.
 */

export type SnapshotArray = Float32Array | Float64Array | Uint32Array | Uint8Array;
export type Snapshot = Record<string, SnapshotArray>;

type ArrayType<A extends SnapshotArray> = { new (length: number): A; name: string };

/** The array `name` of a snapshot, checked to be of `type` and `length`: a snapshot from another run fails here, clearly. */
export function snapshotArray<A extends SnapshotArray>(snapshot: Snapshot, name: string, type: ArrayType<A>, length: number): A {
  const array = snapshot[name];
  if (!(array instanceof type) || array.length !== length) {
    const found = array ? `${array.constructor.name} of ${array.length}` : 'nothing';
    throw new RangeError(`snapshot: "${name}" must be a ${type.name} of ${length} (this run's state), got ${found}; was it taken from another run or backend?`);
  }
  return array;
}

/** Per-cell snapshots (one twin per cell) joined into one, each array concatenated in cell order. */
export function joinSnapshots(parts: readonly Snapshot[]): Snapshot {
  return Object.fromEntries(Object.keys(parts[0]).map((name) => {
    const arrays = parts.map((part) => part[name]);
    const joined = new (arrays[0].constructor as ArrayType<SnapshotArray>)(arrays.reduce((n, a) => n + a.length, 0));
    arrays.reduce((at, a) => (joined.set(a, at), at + a.length), 0);
    return [name, joined];
  }));
}

/** The inverse of joinSnapshots for `parts` cells of equal size (views, not copies). */
export function splitSnapshot(snapshot: Snapshot, parts: number): Snapshot[] {
  return Array.from({ length: parts }, (_, p) => Object.fromEntries(Object.entries(snapshot).map(([name, array]) => {
    const size = array.length / parts;
    return [name, array.subarray(p * size, (p + 1) * size)];
  })));
}
