/**
 * What every model's spec shares: the run's size and seed, the backend, and the engine-wide
 * bounds behind them. Each model's schema spreads `runFields` and its resolver `runDefaults`.
 */
import { z } from 'zod';
import { finiteNumber, integerBetween, oneOf } from './fields.js';

/** Largest dimension the engine's kernels are compiled for. */
export const MAX_D = 64;
export const MAX_GENERATIONS = 10_000;
/** Replicate ids are one 32-bit counter word; ≤ 2³¹ − 1 keeps them safe as signed too. */
export const MAX_REPLICATES = 2 ** 31 - 1;
/** Samples per generation: counts stay exact in the kernels' f32 and sample addresses in one counter word. */
export const MAX_SAMPLES = 2 ** 24;
/**
 * Largest magnitude of a scale of the regression models (noise σ and σ_s, given θ* entries, the
 * verifier's bias; θ* is a unit vector otherwise). A replicate's squared error grows like
 * σ²·tr(Σ⁻¹)·(T + 1)/(n − d − 1), and the GPU sums its square over 256 replicates in f32
 * (≤ 3.4e38): at σ = 1e20 that overflowed to Infinity and NaN statistics, at 1e300 on the twin
 * too. With σ ≤ 1e3 and Σ's condition number ≤ 1e4 (linear's spectrum), even d = 64 and
 * T = 10 000 leave a hundredfold margin for heavy tails.
 */
export const MAX_SCALE = 1e3;
/**
 * Largest ridge λ. Gram entries stay below 2²⁴ samples × |x|² ≲ 6e8, so beyond 1e16 the fit is
 * Xᵀy/λ to f32 precision; at 1e40 λ itself is Infinity in f32 and every GPU fit failed.
 */
export const MAX_RIDGE = 1e16;
/** How MAX_RIDGE reads in messages. */
export const MAX_RIDGE_TEXT = '1e16';

export const BACKENDS = ['auto', 'webgpu', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

/** T: generations after generation 0. */
export const generationsField = integerBetween(0, MAX_GENERATIONS);

export const runFields = {
  replicates: integerBetween(1, MAX_REPLICATES),
  seed: z.union([z.string(), finiteNumber], { error: 'must be a string or a finite number' }).optional(),
  backend: oneOf(BACKENDS).optional(),
};

/** The run fields with their defaults: seed 1, backend "auto". */
export function runDefaults(spec: { replicates: number; seed?: string | number; backend?: BackendChoice }) {
  return { replicates: spec.replicates, seed: spec.seed ?? 1, backend: spec.backend ?? 'auto' } as const satisfies
    { replicates: number; seed: string | number; backend: BackendChoice };
}
