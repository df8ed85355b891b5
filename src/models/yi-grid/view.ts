/** How yi-grid is shown: its figures, names and the demo form's fields. */
import type { ModelView } from '../../core/engine/view.js';

export const yiGridView: ModelView = {
  figures: [
    { id: 'losses', title: 'Loss ‖θ̂ₖ − θ*‖² of each estimator ± 2 SE', y: 'mean loss ‖θ̂ₖ − θ*‖²', metrics: ['loss0', 'loss1', 'loss2', 'loss3'], closedForm: ['loss0'] },
    { id: 'accept', title: 'Acceptance rate of real samples ± 2 SE', y: 'fraction accepted', metrics: ['acceptReal'], yDomain: [0, 1] },
  ],
  heatmapMetric: 'best',
  fieldNames: {
    d: 'dimension d', sigma: 'noise σ', bias: 'verifier bias', radius: 'verifier radius', n1: 'real samples n₁', n2: 'synthetic samples n₂',
  },
  metricNames: {
    loss0: 'θ̂₀ real', loss1: 'θ̂₁ verified real', loss2: 'θ̂₂ synthetic from θ̂₁', loss3: 'θ̂₃ synthetic from θ̂₀',
    acceptReal: 'acceptance of real samples', best: 'best estimator',
  },
  form: [
    { path: 'd', label: 'dimension d', kind: 'int', optional: '5', help: 'number of coefficients' },
    { path: 'n1', label: 'real samples n₁', kind: 'int', optional: '100', help: 'real data of θ̂₀ and θ̂₁' },
    { path: 'n2', label: 'synthetic samples n₂', kind: 'int', optional: '100', help: 'synthetic data of θ̂₂ and θ̂₃' },
    { path: 'sigma', label: 'label noise σ', kind: 'number', optional: '1', step: 'any', help: 'noise of real and synthetic labels' },
    { path: 'bias', label: 'verifier bias a', kind: 'number', optional: '0', step: 'any', help: 'θ_c = θ* + a·(1,…,1)' },
    { path: 'radius', label: 'verifier radius r', kind: 'number', optional: '0.1', step: 'any', help: 'accept |y − xᵀθ_c| ≤ r‖x‖ + slack' },
    { path: 'slack', label: 'verifier slack', kind: 'number', optional: '√(2/π)·σ', step: 'any', help: 'the authors\' choice is E|ε|' },
  ],
  oneRound: true,
};
