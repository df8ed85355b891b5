/** The gmm-selection model's presets: each reproduces a paper's result (docs/science.md). */
import type { SweepInput } from '../../core/spec/sweep.js';
import type { Preset } from '../preset.js';
import type { GmmSelectionSpecInput } from './spec.js';

/** Named experiments of docs/science.md §3; each spec is exactly what `synthloop run` parses. */
export const GMM_SELECTION_PRESETS: Record<string, Preset<GmmSelectionSpecInput & { sweep?: SweepInput }>> = {
  'feng-breakdown': {
    spec: {
      model: 'gmm-selection', d: 8, meanNorm: 1, flipRate: 0.6, n: 2000,
      selector: { kind: 'rates', keepCorrect: 0.9, keepWrong: 0.3 }, generations: 0, replicates: 4096,
      sweep: { flipRate: { start: 0.5, stop: 0.95, count: 10 } },
    },
    title: 'Classifier: selection moves the breakdown',
    papers: ['feng2024'],
    shows: 'selection by rates ϕ = 0.9, ψ = 0.3 moves the breakdown point from 1/2 to p* = 1/(1 + ψ/ϕ) = 0.75: accuracy near the Bayes Φ(‖μ‖) = 0.841 below p* (0.83 at p = 0.5), exactly 1/2 at p*, near 1 − Φ(‖μ‖) = 0.159 above (0.17 at p = 0.95) (the sweep runs flipRate across p*)',
  },
  'feng-linear-verifier': {
    spec: {
      model: 'gmm-selection', d: 8, meanNorm: 1, flipRate: 0.6, n: 2000,
      selector: { kind: 'linear', angle: Math.PI / 4 }, generations: 0, replicates: 4096,
      sweep: { flipRate: { start: 0.5, stop: 0.95, count: 10 } },
    },
    title: 'Classifier: linear verifier',
    papers: ['feng2024'],
    shows: 'a linear verifier 45° off μ keeps a correct pair with ϕ = Φ(‖μ‖cos θ) = 0.760 and a wrong one with ψ = 1 − ϕ (p* = ϕ), but also steers the classifier towards its own direction: accuracy follows the population least-squares limit, 0.77 at p = 0.5 down to 0.70 at p = 0.95, never breaking down at p* nor reaching the Bayes 0.841; the sweep runs flipRate across p*, and selector.angle from 0 (Bayes) to π (1 − Bayes) is another sweep',
  },
  'feng-no-selection': {
    spec: {
      model: 'gmm-selection', d: 8, meanNorm: 1, flipRate: 0.3, n: 2000, selector: { kind: 'none' }, generations: 0, replicates: 4096,
      sweep: { flipRate: { start: 0.3, stop: 0.7, count: 9 } },
    },
    title: 'Classifier: no selection',
    papers: ['feng2024'],
    shows: 'without selection the breakdown point is p* = 1/2: accuracy near Φ(‖μ‖) = 0.841 below it (0.832 at p = 0.3), exactly 1/2 at it, near 1 − Φ(‖μ‖) = 0.159 above (the sweep runs flipRate across 1/2)',
  },
};
