/** How gmm-selection is shown: its figures (with Feng et al.'s p* and asymptotes), names and the demo form's fields. */
import type { ModelView, ReferenceLine } from '../../core/engine/view.js';
import { bayesAccuracy, breakdownPoint, selectorRates } from './theory.js';
import type { ResolvedGmmSelectionSpec } from './spec.js';

const kindOf = (spec: Record<string, unknown>) => (spec.selector as { kind?: string } | undefined)?.kind ?? 'none';
const fixed = (v: number) => v.toFixed(3);
const significant = (v: number) => String(Number(v.toPrecision(4)));

/** On accuracy against the flip rate: Bayes Φ(‖μ‖) and anti-Bayes 1 − Φ(‖μ‖), and the breakdown point p* where a selector has one. */
function referenceLines(written: Record<string, unknown>, figure: string, path: string | undefined): { lines: ReferenceLine[]; note?: string } {
  if (figure !== 'accuracy' || path !== 'flipRate') return { lines: [] };
  const meanNorm = (written.meanNorm as number | undefined) ?? 1;
  const selector = (written.selector ?? { kind: 'none' }) as ResolvedGmmSelectionSpec['selector'];
  const { keepCorrect, keepWrong } = selectorRates({ meanNorm, selector } as Parameters<typeof selectorRates>[0]);
  const pStar = breakdownPoint(keepCorrect, keepWrong);
  const bayes = bayesAccuracy(meanNorm);
  const lines: ReferenceLine[] = [
    { axis: 'y', value: bayes, label: `Bayes Φ(‖μ‖) = ${fixed(bayes)}`, legend: `Bayes accuracy Φ(‖μ‖) = ${fixed(bayes)} (n → ∞, p < p*)`, color: '#2f6f3e', dash: '6,3', anchor: 'right', name: 'bayes-asymptote' },
    { axis: 'y', value: 1 - bayes, label: `anti-Bayes 1 − Φ(‖μ‖) = ${fixed(1 - bayes)}`, legend: `anti-Bayes 1 − Φ(‖μ‖) = ${fixed(1 - bayes)} (n → ∞, p > p*)`, color: '#9b2c2c', dash: '6,3', anchor: 'left', name: 'anti-bayes-asymptote' },
  ];
  if (pStar !== null && selector.kind !== 'linear') {
    lines.push({ axis: 'x', value: pStar, label: `p* = ${significant(pStar)}`, legend: `breakdown point p* = ϕ/(ϕ + ψ) = ${significant(pStar)}`, color: '#6b21a8', anchor: 'top', name: 'p-star' });
  }
  const note = selector.kind === 'linear'
    ? 'A linear verifier steers the classifier too: accuracy follows the population limit, between the two asymptotes.'
    : 'Feng et al.: as n → ∞ the accuracy tends to the Bayes value below the breakdown point p* and to 1 − Bayes above it (exactly 1/2 at p*).';
  return { lines, note };
}

export const gmmSelectionView: ModelView = {
  figures: [
    { id: 'accuracy', title: 'Population accuracy of the classifier ± 2 SE', y: 'accuracy', metrics: ['accuracy'] },
    { id: 'kept', title: 'Fraction of pairs kept by the selector ± 2 SE', y: 'fraction kept', metrics: ['keptFraction'], closedForm: ['keptFraction'], yDomain: [0, 1] },
  ],
  heatmapMetric: 'accuracy',
  fieldNames: {
    flipRate: 'label flip rate p', meanNorm: 'signal ‖μ‖', n: 'samples per generation n', d: 'dimension d', ridgeLambda: 'ridge λ',
    'selector.angle': 'verifier angle θ', 'selector.keepCorrect': 'keep rate ϕ (correct)', 'selector.keepWrong': 'keep rate ψ (wrong)',
  },
  metricNames: { accuracy: 'accuracy', keptFraction: 'fraction kept' },
  form: [
    { path: 'd', label: 'dimension d', kind: 'int', help: 'input dimension' },
    { path: 'meanNorm', label: 'class separation ‖μ‖', kind: 'number', step: 'any', help: 'Bayes accuracy is Φ(‖μ‖)' },
    { path: 'flipRate', label: 'label flip rate p', kind: 'number', step: 'any', help: 'generation 0\'s share of wrong labels' },
    { path: 'n', label: 'samples per generation n', kind: 'int', help: 'pairs labelled before selection' },
    { path: 'selector.kind', label: 'selector', kind: 'select', options: ['none', 'rates', 'linear'], optional: 'none', help: 'keep all pairs, keep by rates ϕ/ψ, or keep what a linear verifier agrees with' },
    { path: 'selector.keepCorrect', label: 'keep correct ϕ', kind: 'number', step: 'any', help: 'probability a correctly labelled pair is kept', when: (s) => kindOf(s) === 'rates' },
    { path: 'selector.keepWrong', label: 'keep wrong ψ', kind: 'number', step: 'any', help: 'probability a wrongly labelled pair is kept', when: (s) => kindOf(s) === 'rates' },
    { path: 'selector.angle', label: 'verifier angle θ', kind: 'number', step: 'any', help: 'radians between the verifier and μ', when: (s) => kindOf(s) === 'linear' },
    { path: 'ridgeLambda', label: 'ridge λ', kind: 'number', optional: '0', step: 'any', help: 'regularises the least-squares classifier' },
  ],
  kindDefaults: {
    selector: {
      none: { kind: 'none' },
      rates: { kind: 'rates', keepCorrect: 0.9, keepWrong: 0.3 },
      linear: { kind: 'linear', angle: Math.PI / 4 },
    },
  },
  referenceLines,
};
