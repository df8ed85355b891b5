/** The yi-grid model's preset: the authors' own study (docs/science.md §2). */
import type { SweepInput } from '../../core/spec/sweep.js';
import type { Preset } from '../preset.js';
import type { YiGridSpecInput } from './spec.js';

export const YI_GRID_PRESETS: Record<string, Preset<YiGridSpecInput & { sweep?: SweepInput }>> = {
  'yi-grid': {
    spec: {
      model: 'yi-grid', d: 5, sigma: 1, n1: 100, n2: 100, replicates: 100,
      sweep: { bias: { start: 0, stop: 0.25, count: 300 }, radius: { start: 0.01, stop: 0.5, count: 150 } },
    },
    title: 'Phase diagram: which estimator wins',
    papers: ['yi2026'],
    shows: 'the authors\' phase diagram (their simulation/linear_regression_empirical_loss.py): 300 biases × 150 radii × 100 replicates (4.5 M) of the four one-round estimators; which is best per cell',
    demoGrid: { bias: 30, radius: 15 },
  },
};
