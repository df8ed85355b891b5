/** How yi-grid is shown: its figures, names and the demo form's fields. */
import type { CategoryMetric, ModelView } from '../../core/engine/view.js';

const num = (x: number | null | undefined) => (x === null || x === undefined ? NaN : x);

/** The best estimator in a cell, or 4 where it is not ahead of the runner-up by 2 SE of their difference. */
export function separatedBest(g: Readonly<Record<string, number | null>>): number {
  const losses = [0, 1, 2, 3].map((k) => ({ k, loss: num(g[`loss${k}`]), se: num(g[`loss${k}SE`]) })).filter((e) => Number.isFinite(e.loss));
  if (!losses.length) return NaN;
  losses.sort((a, b) => a.loss - b.loss);
  const [first, second] = losses;
  if (!second) return first.k;
  const se = Math.sqrt((Number.isFinite(first.se) ? first.se ** 2 : 0) + (Number.isFinite(second.se) ? second.se ** 2 : 0));
  return second.loss - first.loss > 2 * se ? first.k : 4;
}

/** `best`: which estimator has the smallest mean loss (4: not separated from the runner-up by 2 SE). */
const best: CategoryMetric = {
  names: ['θ̂₀ real', 'θ̂₁ verified real', 'θ̂₂ synthetic from θ̂₁', 'θ̂₃ synthetic from θ̂₀', 'no clear best (within 2 SE)'],
  colors: ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#d9d9d9'],
  of: separatedBest,
  title: 'which estimator has the smallest mean loss',
  caption: 'the estimator with the smallest mean loss per cell; grey where it is not ahead of the runner-up by 2 SE of their difference (√(SE₁² + SE₂²)), so the grid cannot tell them apart there; hover a cell for every metric',
};

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
  categories: { best },
  oneRound: true,
};
