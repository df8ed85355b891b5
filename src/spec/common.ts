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
