/**
 * Per-replicate metric rows as every model's reduction sums them: the column-table helper that
 * gives kernel and twin one layout, and the float64 sums shards merge.
 */
/** The one column-table helper: a table as WGSL `const`s, {acceptedReal: 8} with prefix YI → {YI_ACCEPTED_REAL: 8}. */
export function wgslConstTable(prefix: string, table: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(table).map(([name, column]) => [`${prefix}_${name.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase()}`, column]),
  );
}

/** Column sums and sums of squares over replicates, in float64: mergeable by addition. */
export interface MetricSums {
  sum: Float64Array;
  sumSquares: Float64Array;
}

export function emptySums(columns: number): MetricSums {
  return { sum: new Float64Array(columns), sumSquares: new Float64Array(columns) };
}

/**
 * One cell's sufficient statistics of one generation, over a range of its replicates: the
 * metric sums and, where a statistic needs every replicate's value (gaussian's median), those
 * values in replicate order. Ranges merge by adding the sums and concatenating the values
 * (mergeCellSums), which is how shards of a run become the run (src/core/engine/shard.ts).
 */
export interface CellSums extends MetricSums {
  values?: Float32Array | Float64Array;
}

/** The sufficient statistics of consecutive replicate ranges of one cell, in range order. */
export function mergeCellSums(parts: readonly CellSums[]): CellSums {
  const merged: CellSums = emptySums(parts[0].sum.length);
  for (const part of parts) {
    for (let c = 0; c < merged.sum.length; c++) {
      merged.sum[c] += part.sum[c];
      merged.sumSquares[c] += part.sumSquares[c];
    }
  }
  const values = parts.map((part) => part.values);
  if (values.every((v) => v !== undefined)) {
    const all = new (values[0]!.constructor as Float64ArrayConstructor)(values.reduce((n, v) => n + v!.length, 0));
    values.reduce((at, v) => (all.set(v!, at), at + v!.length), 0);
    merged.values = all;
  }
  return merged;
}
