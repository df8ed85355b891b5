/** The token models' P*, as the twin and the GPU hosts both read it (built in model.ts). */
import type { Key } from '../../core/random/address.js';

/** P* as both backends use it. */
export interface TokenProblem {
  /** Tokens (categorical) or states (bigram). */
  K: number;
  key: Key;
  /** P*, row-major: one row of K probabilities (categorical) or K rows of K (bigram), float64. */
  probs: Float64Array;
  /** Each row as fixedPointCumulative (src/core/cpu/tokens.ts): what the kernels draw from. */
  cumulative: Uint32Array;
}
