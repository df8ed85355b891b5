/** How the token models (categorical, bigram) are shown: figures, names and the demo form's fields. */
import type { FormField, ModelView } from '../../core/engine/view.js';

const form: FormField[] = [
  { path: 'probs', label: 'true distribution P*', kind: 'json', help: 'JSON: {"kind":"given","values":[…]} or {"kind":"dirichlet","k":K,"alpha":1}' },
  { path: 'n0', label: 'tokens n₀', kind: 'int', help: 'tokens of generation 0, all from P*' },
  { path: 'n', label: 'tokens per generation n', kind: 'schedule', optional: 'n₀', help: 'a number, or a schedule as JSON' },
  { path: 'realFraction', label: 'real share α', kind: 'schedule', optional: '0', help: 'P*\'s share of each generation\'s mixture' },
];
const fieldNames = { n: 'samples per generation n', n0: 'real samples n₀', k: 'categories k', realFraction: 'real fraction' };
const metricNames = { r: 'R = ‖P̂ − P*‖²', tv: 'total variation', kl: 'KL(P* ‖ P̂)', absorbed: 'absorbed' };

export const categoricalView: ModelView = {
  figures: [
    { id: 'r', title: 'R = ‖P̂ − P*‖² ± 2 SE', y: 'E‖P̂ − P*‖²', metrics: ['r'], closedForm: ['r'] },
    { id: 'tv', title: 'Total variation ½‖P̂ − P*‖₁ ± 2 SE', y: 'total variation', metrics: ['tv'] },
    { id: 'kl', title: 'KL(P* ‖ P̂) ± 2 SE', y: 'KL (nats)', metrics: ['kl'] },
    { id: 'absorbed', title: 'Absorbed at a point mass (fraction)', y: 'fraction absorbed', metrics: ['absorbed'], yDomain: [0, 1] },
  ],
  heatmapMetric: 'r', fieldNames, metricNames, form,
};

export const bigramView: ModelView = {
  figures: [
    { id: 'r', title: 'Row error ‖P̂ − P*‖² ± 2 SE', y: 'E‖P̂ − P*‖² per row', metrics: ['r'], closedForm: ['r'] },
    { id: 'tv', title: 'Total variation per row ± 2 SE', y: 'total variation', metrics: ['tv'] },
    { id: 'kl', title: 'KL(P* ‖ P̂) per row ± 2 SE', y: 'KL (nats)', metrics: ['kl'] },
  ],
  heatmapMetric: 'r', fieldNames, metricNames, form,
};
