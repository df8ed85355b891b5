/** The gaussian model's presets: each reproduces a paper's result (docs/science.md). */
import type { Preset } from '../preset.js';
import type { GaussianSpecInput } from './spec.js';

export const GAUSSIAN_PRESETS: Record<string, Preset<GaussianSpecInput>> = {
  'shumailov-gaussian': {
    spec: { model: 'gaussian', dim: 1, m: 100, estimator: 'mle', generations: 250, replicates: 4096 },
    title: 'Gaussian refit (MLE): variance collapses',
    papers: ['shumailov2024'],
    shows: 'collapse: refitting by maximum likelihood on its own samples, E σ̂² = ((M−1)/M)^(t+1)·σ² decays to 0.08 by t = 250, '
      + 'while log σ̂² drifts down twice as fast, by ψ((M−1)/2) + ln(2/M) ≈ −0.020 per generation: the median σ̂² is 0.006',
  },
  'gaussian-unbiased': {
    spec: { model: 'gaussian', dim: 1, m: 100, estimator: 'unbiased', generations: 250, replicates: 4096 },
    title: 'Gaussian refit (unbiased): mean σ̂² kept, yet collapses',
    papers: ['bertrand2024', 'shumailov2024'],
    shows: 'the unbiased estimator keeps E σ̂² = σ² (a martingale) yet σ̂² → 0 almost surely: at t = 250 the mean is still ≈ 1 '
      + '(± 0.2: heavy tails) while E log σ̂² = (t+1)·[ψ((M−1)/2) + ln(2/(M−1))] ≈ −2.5 and the median σ̂² is 0.07',
  },
};
