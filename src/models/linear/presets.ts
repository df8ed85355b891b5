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
