/** How the Gaussian model is shown: its figures, names and the demo form's fields. */
import type { ModelView } from '../../core/engine/view.js';

export const gaussianView: ModelView = {
  figures: [
    { id: 'variance', title: 'Mean fitted variance σ̂² ± 2 SE', y: 'E σ̂²', metrics: ['varMean'], closedForm: ['varMean'] },
    { id: 'log-variance', title: 'log σ̂²: mean ± 2 SE and median', y: 'log σ̂²', metrics: ['logVarMean', 'logVarMedian'], closedForm: ['logVarMean'] },
    { id: 'mean-error', title: 'Error of the mean ‖μ̂ − μ‖² ± 2 SE', y: 'E‖μ̂ − μ‖²', metrics: ['meanErr2'], closedForm: ['meanErr2'] },
    { id: 'collapsed', title: 'Collapsed replicates (fraction)', y: 'fraction collapsed', metrics: ['collapsed'], yDomain: [0, 1] },
  ],
  heatmapMetric: 'varMean',
  fieldNames: { m: 'samples per generation M', dim: 'dimension', sigma: 'noise σ' },
  metricNames: { varMean: 'σ̂²', logVarMean: 'mean log σ̂²', logVarMedian: 'median log σ̂²', meanErr2: '‖μ̂ − μ‖²', collapsed: 'collapsed' },
  form: [
    { path: 'dim', label: 'dimension', kind: 'int', optional: '1', help: 'the fitted covariance is full' },
    { path: 'm', label: 'samples per generation M', kind: 'int', help: 'each generation fits M samples of the previous fit' },
    { path: 'estimator', label: 'estimator', kind: 'select', options: ['mle', 'unbiased'], optional: 'mle', help: 'divide the scatter by M or by M − 1' },
    { path: 'sigma', label: 'true σ', kind: 'number', optional: '1', step: 'any', help: 'Σ = σ²I' },
  ],
};
