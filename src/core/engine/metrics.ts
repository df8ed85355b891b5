/**
 * Per-replicate metric columns, written by the fused kernel (shaders/linear/linear.wgsl) and its
 * twin (src/models/linear/twin.ts) and summed by the reduction. The same table is emitted into WGSL
 * as `const METRIC_*` so both sides share one layout.
 */
export const Metric = {
  /** 1 if the replicate's solve succeeded (and never failed before), else 0. */
  valid: 0,
  /** ‖θ̂ − θ*‖² (0 unless valid). */
  err2: 1,
  /** (θ̂ − θ*)ᵀ Σ (θ̂ − θ*). */
  risk: 2,
  /** ‖θ̂ − θ_c‖². */
  centerDist2: 3,
  /** Synthetic samples the verifier accepted this generation (replicates alive at its start). */
  accepted: 4,
  /** Synthetic samples offered to the verifier this generation. */
  offered: 5,
  /** θ̂_j − θ*_j for j = 0..d−1 start here (0 unless valid). */
  delta: 6,
} as const;

export const metricColumns = (d: number) => Metric.delta + d;

/** A column table as WGSL `const`s: {acceptedReal: 8} with prefix YI → {YI_ACCEPTED_REAL: 8}. */
export function wgslConstTable(prefix: string, table: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(table).map(([name, column]) => [`${prefix}_${name.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase()}`, column]),
  );
}

export const metricDeclarations = () => wgslConstTable('METRIC', Metric);

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
