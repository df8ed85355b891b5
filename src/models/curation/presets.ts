/** The curation model's presets (docs/science.md §8). */
import type { Preset } from '../preset.js';
import type { CurationSpecInput } from './spec.js';

/** A skewed P* whose rarest token (2 %) is the one the reward likes best. */
const SKEWED = { kind: 'given' as const, values: [0.3, 0.2, 0.15, 0.1, 0.1, 0.08, 0.05, 0.02] };
const RISING = [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5];

export const CURATION_PRESETS: Record<string, Preset<CurationSpecInput>> = {
  'ferbach-curation': {
    spec: { model: 'curation', probs: SKEWED, reward: RISING, candidates: 4, n: 500, generations: 20, replicates: 512 },
    title: 'Curation maximises the reward: mass to the best token',
    papers: ['ferbach2024'],
    shows: 'each round keeps one of K = 4 candidates with probability ∝ e^r and refits on the kept tokens only: E r climbs from 1.02 '
      + '(1.691 exactly at t = 1) to 3.499 of its maximum 3.5 by t = 20, the mass on argmax r from 2 % to 99.8 %, and KL(p̂‖P*) to '
      + '3.9 ≈ log(1/0.02) (docs/science.md §8)',
  },
  'ferbach-curation-real': {
    spec: { model: 'curation', probs: SKEWED, reward: RISING, candidates: 4, n: 500, realFraction: 0.5, generations: 20, replicates: 512 },
    title: 'Curation with half fresh data: stable, reward-tilted',
    papers: ['ferbach2024'],
    shows: 'with λ = 0.5 of every round fresh from P*, p̂ settles near the fixed point of p ↦ λP* + (1−λ)H_K(p) instead of collapsing '
      + 'onto argmax r: E r = 1.94 at t = 20 (population path 1.95; K → ∞ fixed point 2.14), KL(p̂‖P*) = 0.58, entropy still 1.96 nats',
  },
  'curation-heterogeneous': {
    spec: {
      model: 'curation', probs: { kind: 'given', values: [1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6] },
      curators: [{ weight: 0.6, reward: [3, 2, 0, 0, 0, 0] }, { weight: 0.4, reward: [0, 0, 0, 0, 2, 3] }],
      candidates: 8, n: 400, generations: 15, replicates: 512,
    },
    title: 'Two curators, opposite tastes: both kept (Nash point)',
    papers: ['falahati2026', 'zhao2025', 'ferbach2024'],
    shows: 'each choice is made by curator 1 (w = 0.6, likes token 0) or curator 2 (w = 0.4, likes token 5): by t = 15 p̂ puts 0.626 on '
      + 'token 0 and 0.374 on token 5 instead of collapsing onto either, near the weighted Nash point 0.61/0.39 that maximises '
      + '0.6·log E e^{r₁} + 0.4·log E e^{r₂} (the K → ∞ limit; docs/science.md §8)',
  },
};
