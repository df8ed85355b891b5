/** How the linear model is shown: its figures, names and the demo form's fields. */
import type { ModelView } from '../../core/engine/view.js';

const ball = (s: Record<string, unknown>) => (s.verifier as { kind?: string } | undefined)?.kind === 'ball';

export const linearView: ModelView = {
  figures: [
    { id: 'mse', title: 'Error ‖θ̂ − θ*‖² (mse) ± 2 SE', y: 'mean ‖θ̂ − θ*‖²', metrics: ['mse'], closedForm: ['mse'] },
    {
      id: 'risk', title: 'Test risk (θ̂ − θ*)ᵀΣ(θ̂ − θ*) ± 2 SE', y: 'mean excess test risk', metrics: ['risk'], closedForm: ['risk'],
      when: (specs) => specs.some((s) => (s.spectrum as { kind?: string } | undefined)?.kind === 'power'),
    },
    { id: 'bias-variance', title: 'Bias² and variance (they sum to the mse)', y: 'bias² or variance', metrics: ['bias2', 'variance'] },
    { id: 'accept', title: 'Acceptance rate of synthetic samples', y: 'fraction accepted', metrics: ['acceptRate'], yDomain: [0, 1], when: (specs) => specs.some(ball) },
    { id: 'center', title: 'Distance² to the verifier\'s centre ± 2 SE', y: 'mean ‖θ̂ − centre‖²', metrics: ['centerDist2'] },
  ],
  heatmapMetric: 'mse',
  fieldNames: {
    n: 'samples per generation n', n0: 'real samples n₀', d: 'dimension d', sigma: 'noise σ', 'verifier.bias': 'verifier bias',
    'verifier.radius': 'verifier radius', 'verifier.slack': 'verifier slack', realFraction: 'real fraction', ridgeLambda: 'ridge λ',
  },
  metricNames: {
    mse: 'mse ‖θ̂ − θ*‖²', bias2: 'bias²', variance: 'variance', acceptRate: 'acceptance rate', centerDist2: 'distance² to the centre', risk: 'risk',
  },
  form: [
    { path: 'd', label: 'dimension d', kind: 'int', help: 'number of coefficients in θ' },
    { path: 'n0', label: 'real samples n₀', kind: 'int', help: 'real data fitting generation 0' },
    { path: 'n', label: 'samples per generation n', kind: 'schedule', optional: 'n₀', help: 'a number, or a schedule as JSON' },
    { path: 'sigma', label: 'label noise σ', kind: 'number', optional: '1', step: 'any', help: 'noise of real labels' },
    { path: 'syntheticSigma', label: 'synthetic noise σₛ', kind: 'number', optional: 'σ', step: 'any', help: 'noise the model adds to its own labels' },
    { path: 'mode', label: 'mode', kind: 'select', options: ['replace', 'accumulate', 'mixture'], optional: 'replace', help: 'train on new data only, on all data so far, or on a mix with fresh real data' },
    { path: 'realFraction', label: 'real fraction', kind: 'schedule', optional: '0.5', help: 'share of fresh real samples per generation', when: (s) => s.mode === 'mixture' },
    { path: 'design', label: 'design', kind: 'select', options: ['fresh', 'fixed'], optional: 'fresh', help: 'fixed: every generation relabels the same inputs' },
    { path: 'ridgeLambda', label: 'ridge λ', kind: 'schedule', optional: '0', help: '0 is least squares: ordinary, or minimum-norm where n < d' },
    { path: 'verifier.kind', label: 'verifier', kind: 'select', options: ['none', 'ball'], optional: 'none', help: 'ball: keep a synthetic sample only if its label is near the verifier\'s own prediction' },
    { path: 'verifier.bias', label: 'verifier bias', kind: 'number', step: 'any', help: 'how far the verifier\'s centre θ_c sits from the truth θ*', when: ball },
    { path: 'verifier.radius', label: 'verifier radius', kind: 'number', step: 'any', help: 'accept |ỹ − xᵀθ_c| ≤ radius·‖x‖ + slack', when: ball },
    { path: 'verifier.slack', label: 'verifier slack', kind: 'number', optional: '√(2/π)·σ', step: 'any', help: 'constant added to the acceptance band', when: ball },
    { path: 'verifier.direction', label: 'bias direction', kind: 'select', options: ['random', 'ones'], optional: 'random', help: 'direction u of the bias: seeded random or (1,…,1)/√d', when: ball },
  ],
  kindDefaults: {
    verifier: {
      none: { kind: 'none' },
      ball: { kind: 'ball', bias: 0.1, radius: 0.1, direction: 'ones' },
    },
  },
};
