/** The linear model's presets: each reproduces a paper's result (docs/science.md). */
import type { Preset } from '../preset.js';
import type { LinearSpecInput } from './spec.js';

export const LINEAR_PRESETS: Record<string, Preset<LinearSpecInput>> = {
  'dohmatob-replace': {
    spec: { model: 'linear', d: 10, sigma: 1, n0: 100, n: 100, mode: 'replace', design: 'fresh', generations: 20, replicates: 4096 },
    title: 'Collapse: refit on own labels',
    papers: ['dohmatob2024'],
    shows: 'collapse: retraining on its own labels only, risk grows linearly, risk_t = σ²d/(n0−d−1) + t·σ²d/(n−d−1)',
  },
  'dohmatob-overparameterized': {
    spec: { model: 'linear', d: 16, sigma: 1, n0: 8, n: 8, mode: 'replace', design: 'fresh', generations: 20, replicates: 4096 },
    title: 'Over-parameterised (n < d): exponential collapse',
    papers: ['dohmatob2024'],
    shows: 'collapse at n = 8 < d = 16: each minimum-norm refit keeps only its n-dimensional row space, e_t = (n/d)e_{t−1} + (1 − n/d)‖θ*‖² + σ²n/(d−n−1): the error rises geometrically (rate n/d = 1/2) from 1.64 to ‖θ*‖² + σ²n/((d−n−1)(1 − n/d)) = 3.29, over three times the zero estimate\'s 1',
  },
  'dohmatob-overparameterized-noiseless': {
    spec: { model: 'linear', d: 16, sigma: 0.001, syntheticSigma: 0, n0: 8, n: 8, mode: 'replace', design: 'fresh', generations: 20, replicates: 4096 },
    title: 'Over-parameterised, noise-free labels: collapse anyway',
    papers: ['dohmatob2024'],
    shows: 'collapse without label noise: each minimum-norm refit at n = 8 < d = 16 projects the estimate onto a random half of the space, so the error 1 − (n/d)^(t+1) reaches ‖θ*‖² = 1 (the zero estimate) exponentially fast',
  },
  'dohmatob-adaptive-ridge': {
    spec: {
      model: 'linear', d: 16, sigma: 1, n0: 8, n: 8, mode: 'replace', design: 'fresh', generations: 20, replicates: 4096,
      ridgeLambda: { kind: 'linear', start: 16, slope: 16 },
    },
    title: 'Adaptive ridge against over-parameterised collapse',
    papers: ['dohmatob2024'],
    shows: 'mitigation: ridge λ_t = σ²d(t+1)/‖θ*‖², growing with the generations of noise the labeller carries, keeps the error near ‖θ*‖² = 1 (the signal lost at rate n/d cannot come back) where the minimum-norm refit of dohmatob-overparameterized settles at 3.29',
  },
  'gerstgrasser-accumulate': {
    spec: { model: 'linear', d: 10, sigma: 1, n0: 100, n: 100, mode: 'accumulate', design: 'fixed', generations: 20, replicates: 4096 },
    title: 'Accumulate all data: bounded',
    papers: ['gerstgrasser2024'],
    shows: 'no collapse: keeping all data, risk stays bounded, risk_t = c·Σ_{i=1..t+1} 1/i² ≤ c·π²/6 with c = σ²d/(n−d−1)',
  },
  'yi-verified': {
    spec: {
      model: 'linear', d: 5, sigma: 1, n0: 100, n: 100, mode: 'replace', generations: 30, replicates: 4096,
      verifier: { kind: 'ball', bias: 0.1, radius: 0.1, direction: 'ones' },
    },
    title: 'Biased verifier: improve, then plateau',
    papers: ['yi2026'],
    shows: 'a biased verifier pulls the estimate to its center: early improvement, then a plateau near bias² = 0.01',
  },
  mixture: {
    spec: { model: 'linear', d: 10, sigma: 1, n0: 100, n: 100, mode: 'mixture', realFraction: 0.2, generations: 30, replicates: 4096 },
    title: 'Mix in 20% fresh real data',
    papers: ['bertrand2024', 'gerstgrasser2024'],
    shows: '20% fresh real data each generation keeps the risk bounded instead of growing linearly',
  },
};
