/** How curation is shown: its figures (population path dashed, the K → ∞ limit dotted), names and the demo form's fields. */
import type { ModelView, ReferenceLine } from '../../core/engine/view.js';
import { parseCurationSpec } from './spec.js';
import { shownMetrics, theoryInput } from './problem.js';
import { curationLimit } from './theory.js';

const metricNames: Record<string, string> = {
  reward: 'expected reward E r', top: 'mass on argmax r', divergence: 'KL(p̂ ‖ P*)', entropy: 'entropy of p̂', nash: 'Σ wᵢ log E e^{rᵢ}',
  reward1: 'E r₁', reward2: 'E r₂', reward3: 'E r₃', top1: 'mass on argmax r₁', top2: 'mass on argmax r₂', top3: 'mass on argmax r₃',
};

const figures: ModelView['figures'] = [
  { id: 'reward', title: 'Expected reward E_p̂ r ± 2 SE', y: 'E r', metrics: ['reward'], closedForm: ['reward'], zero: false },
  { id: 'top', title: 'Mass on the reward\'s maximisers ± 2 SE', y: 'p̂(argmax r)', metrics: ['top'], closedForm: ['top'], yDomain: [0, 1] },
  {
    id: 'curators', title: 'Each curator\'s maximisers: mass ± 2 SE', y: 'p̂(argmax rᵢ)', metrics: ['top1', 'top2', 'top3'], closedForm: ['top1', 'top2', 'top3'], yDomain: [0, 1],
    when: (specs) => specs.some((s) => Array.isArray(s.curators) && s.curators.length > 1),
  },
  {
    id: 'curator-rewards', title: 'Each curator\'s expected reward E_p̂ rᵢ ± 2 SE', y: 'E rᵢ', metrics: ['reward1', 'reward2', 'reward3'], closedForm: ['reward1', 'reward2', 'reward3'], zero: false,
    when: (specs) => specs.some((s) => Array.isArray(s.curators) && s.curators.length > 1),
  },
  { id: 'nash', title: 'Σ wᵢ log E_p̂ e^{rᵢ} ± 2 SE: retraining maximises it (K → ∞, no fresh data)', y: 'Σ wᵢ log E e^{rᵢ}', metrics: ['nash'], closedForm: ['nash'], zero: false },
  { id: 'divergence', title: 'KL(p̂ ‖ P*) and entropy of p̂ ± 2 SE', y: 'nats', metrics: ['divergence', 'entropy'], closedForm: ['divergence', 'entropy'] },
];

/**
 * On a figure against t: the K → ∞ limit of each metric it overlays (docs/science.md §8) — argmax r for
 * one curator without fresh data, the weighted Nash point for several, the tilted fixed point with λ > 0.
 */
function referenceLines(written: Record<string, unknown>, figure: string, path: string | undefined): { lines: ReferenceLine[]; note?: string } {
  const def = figures.find((f) => f.id === figure);
  if (path !== undefined || !def) return { lines: [] };
  const spec = parseCurationSpec(written);
  const shown = new Set(shownMetrics(spec));
  const limit = curationLimit(theoryInput(spec));
  // Several curators and no fresh data at the end: the weighted Nash point; else argmax r or the tilted fixed point.
  const what = spec.curators.length > 1 && spec.realCounts[spec.realCounts.length - 1] === 0 ? 'Nash point' : 'limit';
  const lines = (def.closedForm ?? []).filter((m) => shown.has(m)).map((m): ReferenceLine => {
    const value = Number(limit[m].toPrecision(4));
    return { axis: 'y', value: limit[m], label: `K → ∞: ${value}`, legend: `${what} (K → ∞, t → ∞) of ${metricNames[m]} = ${value}`, color: '#6b21a8', dash: '2,3', anchor: 'left', name: 'k-infinity-limit' };
  });
  return { lines, note: lines.length ? 'the K → ∞ limit (dotted) is what curation with many candidates approaches (docs/science.md §8)' : undefined };
}

export const curationView: ModelView = {
  figures,
  heatmapMetric: 'reward',
  fieldNames: { n: 'tokens per generation n', candidates: 'candidates K', realFraction: 'real share λ' },
  metricNames,
  form: [
    { path: 'probs', label: 'true distribution P*', kind: 'json', help: 'JSON: {"kind":"given","values":[…]} or {"kind":"dirichlet","k":V,"alpha":1}' },
    { path: 'reward', label: 'reward r (one curator)', kind: 'json', optional: 'none', when: (spec) => spec.curators === undefined, help: 'JSON list of V numbers, |r| ≤ 30; clear it to use curators' },
    { path: 'curators', label: 'curators', kind: 'json', optional: 'none', when: (spec) => spec.reward === undefined, help: 'JSON: [{"weight":0.6,"reward":[…]}, …], weights summing to 1; clear it to use one reward' },
    { path: 'candidates', label: 'candidates K', kind: 'int', help: 'draws from p̂ shown to the curator, who keeps one (≥ 2)' },
    { path: 'n', label: 'tokens per generation n', kind: 'int', help: 'fresh and curated together' },
    { path: 'realFraction', label: 'real share λ', kind: 'schedule', optional: '0', help: 'the share of each generation drawn fresh from P*' },
  ],
  referenceLines,
};
