/**
 * What a run produces, on either backend: one GenerationStats per generation t = 0..T,
 * streamed as they finish, then a RunResult.
 */
import type { AdapterDescription } from '../gpu/device.js';
import type { ResolvedLinearSpec } from '../spec/linear.js';
import type { ClosedForm } from '../theory/linear.js';

/** A statistic, or null where it is undefined (no replicate left, or fewer than two for an SE). */
export type Estimate = number | null;

export interface GenerationStats {
  t: number;
  /** Mean ‖θ̂ − θ*‖² over replicates whose solve has not failed. */
  mse: Estimate;
  mseSE: Estimate;
  /** ‖mean θ̂ − θ*‖². */
  bias2: Estimate;
  /** Mean ‖θ̂ − mean θ̂‖² (divisor = replicates counted), so mse = bias2 + variance. */
  variance: Estimate;
  /** Mean (θ̂ − θ*)ᵀ Σ (θ̂ − θ*). */
  risk: Estimate;
  riskSE: Estimate;
  /** Mean ‖θ̂ − θ_c‖² (null without a verifier). */
  centerDist2: Estimate;
  centerDist2SE: Estimate;
  /** Accepted / offered synthetic samples (1 without a verifier); null where none was offered (t = 0). */
  acceptRate: Estimate;
  /** Replicates excluded because a solve failed (now or earlier). */
  failed: number;
  /** Replicates counted in the statistics above. */
  replicates: number;
}

export type BackendName = 'webgpu' | 'cpu';

export interface RunResult {
  spec: ResolvedLinearSpec;
  backend: BackendName;
  /** The WebGPU adapter used, or null on the CPU twin. */
  adapter: AdapterDescription | null;
  generations: GenerationStats[];
  elapsedSeconds: number;
  /** Things the user should know, e.g. that no WebGPU adapter worked and the twin ran instead. */
  notices: string[];
  /** The exact expectation SCIENCE.md gives for this spec, for comparison (never used to compute results); null if none applies. */
  closedForm: ClosedForm | null;
}
