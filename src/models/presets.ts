/**
 * Named experiments, each reproducing one paper's result (docs/science.md). The spec is kept
 * apart from its description so it stays exactly what `synthloop run` parses.
 */
import type { LinearSpecInput } from './linear/spec.js';
import type { PaperId } from './papers.js';
import type { YiGridSpecInput } from './yi-grid/spec.js';
import type { SweepInput } from '../core/spec/sweep.js';
import { GMM_SELECTION_PRESETS } from './gmm-selection/spec.js';
import { GAUSSIAN_PRESETS } from './gaussian/spec.js';
import { CATEGORICAL_PRESETS } from './categorical/spec.js';

/** Any model's spec as written, with an optional sweep. */
export type PresetSpec = (LinearSpecInput | YiGridSpecInput | { model: string; [field: string]: unknown }) & { sweep?: SweepInput };

export interface Preset<Spec = PresetSpec> {
  spec: Spec;
  /** What the run shows, in a few words (one terminal line with the name). */
  title: string;
  /** Whose result it reproduces: keys of PAPERS (src/spec/papers.ts). */
  papers: readonly PaperId[];
  /** What the run shows, with the closed form where there is one. */
  shows: string;
}

export const PRESETS: Record<string, Preset> = {
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
  'yi-grid': {
    spec: {
      model: 'yi-grid', d: 5, sigma: 1, n1: 100, n2: 100, replicates: 100,
      sweep: { bias: { start: 0, stop: 0.25, count: 300 }, radius: { start: 0.01, stop: 0.5, count: 150 } },
    },
    title: 'Phase diagram: which estimator wins',
    papers: ['yi2026'],
    shows: 'the authors\' phase diagram (their simulation/linear_regression_empirical_loss.py): 300 biases × 150 radii × 100 replicates (4.5 M) of the four one-round estimators; which is best per cell',
  },
  ...GMM_SELECTION_PRESETS,
  ...GAUSSIAN_PRESETS,
  ...CATEGORICAL_PRESETS,
};

export const DEFAULT_PRESET = 'dohmatob-replace';
