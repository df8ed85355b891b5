/** How amin-erm is shown: its figure, names and the demo form's fields. */
import type { ModelView } from '../../core/engine/view.js';

export const aminErmView: ModelView = {
  figures: [
    { id: 'error', title: 'Error ‖μ̂ − μ‖² of ERM and of the weighted estimator ± 2 SE', y: 'E‖μ̂ − μ‖²', metrics: ['erm', 'weighted'], closedForm: ['erm', 'weighted'] },
  ],
  heatmapMetric: 'erm',
  fieldNames: { n: 'samples per generation n', dim: 'dimension', sigma: 'noise σ', alpha: 'contamination rate α' },
  metricNames: { erm: 'ERM ‖μ̂ − μ‖²', weighted: 'weighted ‖μ̂ − μ‖²' },
  form: [
    { path: 'dim', label: 'dimension', kind: 'int', optional: '1', help: 'dimension of the mean' },
    { path: 'n', label: 'samples per generation n', kind: 'int', help: 'natural and synthetic together' },
    { path: 'alpha', label: 'contamination rate α', kind: 'number', step: 'any', help: 'synthetic share of every generation after the first; α·n must be whole' },
    { path: 'sigma', label: 'σ', kind: 'number', optional: '1', step: 'any', help: 'standard deviation of every sample' },
  ],
};
