/** The curation-gaussian model's presets (docs/science.md §9). */
import type { Preset } from '../preset.js';
import type { CurationGaussianSpecInput } from './spec.js';

const BASE = { model: 'curation-gaussian', dim: 2, n: 100, candidates: 4, target: 2, tau: 1, generations: 40, replicates: 1024 } as const;

export const CURATION_GAUSSIAN_PRESETS: Record<string, Preset<CurationGaussianSpecInput>> = {
  'ferbach-curation-gaussian': {
    spec: { ...BASE },
    title: 'Curated Gaussian: reward to its max, collapse onto c',
    papers: ['ferbach2024'],
    shows: 'curation alone optimises the reward: from −5 at P* the fitted model\'s expected reward rises toward its maximum 0 while v and ‖m − c‖² shrink '
      + 'and KL(p̂ ‖ P*) grows; in the K → ∞, n → ∞ limit v_t = 1/(1 + t) and the reward is −0.027 at t = 40 (docs/science.md §9), K = 4 lags behind it',
  },
  'ferbach-curation-gaussian-real': {
    spec: { ...BASE, realFraction: 0.5 },
    title: 'Curated Gaussian, half fresh data: stable',
    papers: ['ferbach2024'],
    shows: 'with half of every generation fresh the loop is stable: the reward and v settle within about ten generations and stay, '
      + 'short of the K → ∞, n → ∞ fixed point (reward −2.94, v = 1.31; docs/science.md §9) since K = 4 curates less sharply',
  },
};
