/**
 * What a model folder gives the cross-cutting tests (test/helpers/fixtures.ts finds every
 * `<model>/fixtures.ts`): small specs, named, for each check that runs every model. Test data,
 * kept beside the model so that adding a model edits no test.
 */
export type FixtureCase = [name: string, spec: Record<string, unknown>];

/**
 * How far a GPU row may be from the twin's, per replicate: ‖gpu − twin‖ ≤ relative·max(‖twin‖, floor)
 * over the replicate's values of that row, except in at most `outliers` (a fraction) of replicates
 * (e.g. a sample within f32 rounding of a verifier's edge, accepted on one backend only).
 */
export interface RowTolerance {
  relative: number;
  floor?: number;
  outliers?: number;
}

/** A spec run on WebGPU and on the twin, every replicate's rows compared after every generation. */
export interface GpuTwinCase {
  name: string;
  spec: Record<string, unknown>;
  /** Every row Stepper.replicateRows returns, with its tolerance (0: bit-identical). */
  rows: Readonly<Record<string, RowTolerance>>;
}

export interface ModelFixtures {
  gpuTwin: readonly GpuTwinCase[];
  snapshot: readonly FixtureCase[];
  shard: readonly FixtureCase[];
  recovery?: readonly FixtureCase[];
}
