/**
 * What generation t does, derived once from the spec for both backends.
 */
import type { ResolvedLinearSpec } from './spec.js';

export interface GenerationPlan {
  t: number;
  /** Samples drawn this generation (n0 at t = 0). */
  samples: number;
  /** The first `realSamples` are fresh real data (labelled by θ*); the rest are synthetic. */
  realSamples: number;
  /** Generation whose inputs are drawn: 0 for a fixed design, else t. */
  inputsGeneration: number;
  ridgeLambda: number;
  /**
   * Fewer samples than d without ridge, fitted afresh: the minimum-norm least-squares fit X⁺y
   * (the spec allows it only without a verifier, outside accumulate mode, for small d).
   */
  minimumNorm: boolean;
  /** Synthetic samples pass the verifier ball. */
  verify: boolean;
  /** Start the sufficient statistics from zero (every generation, except accumulate after t = 0). */
  resetSums: boolean;
  /** Keep the sufficient statistics for the next generation (accumulate mode). */
  keepSums: boolean;
}

export function generationPlan(spec: ResolvedLinearSpec, t: number): GenerationPlan {
  const samples = spec.schedule.n[t];
  const realSamples = t === 0 ? samples : Math.round(spec.schedule.realFraction[t] * samples);
  const accumulate = spec.mode === 'accumulate';
  return {
    t,
    samples,
    realSamples,
    inputsGeneration: spec.design === 'fixed' ? 0 : t,
    ridgeLambda: spec.schedule.ridgeLambda[t],
    minimumNorm: spec.schedule.ridgeLambda[t] === 0 && samples < spec.d && (!accumulate || t === 0),
    verify: spec.verifier.kind === 'ball',
    resetSums: !accumulate || t === 0,
    keepSums: accumulate,
  };
}
