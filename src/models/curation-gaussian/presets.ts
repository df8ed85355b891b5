/** The curation-gaussian model's presets (docs/science.md §9). */
import type { Preset } from '../preset.js';
import type { CurationGaussianSpecInput } from './spec.js';

const BASE = { model: 'curation-gaussian', dim: 2, n: 100, candidates: 4, target: 2, tau: 1, generations: 40, replicates: 1024 } as const;

export const CURATION_GAUSSIAN_PRESETS: Record<string, Preset<CurationGaussianSpecInput>> = {
  'ferbach-curation-gaussian': {
    spec: { ...BASE },
    title: 'Curated retraining of a Gaussian: the expected reward rises to its maximum, the model collapses onto c',
    papers: ['ferbach2024'],
    shows: 'TODO',
  },
  'ferbach-curation-gaussian-real': {
    spec: { ...BASE, realFraction: 0.5 },
    title: 'Curated retraining with half fresh data: stable near the reward-tilted fixed point',
    papers: ['ferbach2024'],
    shows: 'TODO',
  },
};
