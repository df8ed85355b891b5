/** How curation-gaussian is shown: its figures (K → ∞ limits overlaid), names and the demo form's fields. */
import type { ModelView } from '../../core/engine/view.js';

export const curationGaussianView: ModelView = {
  figures: [
    { id: 'reward', title: 'Expected reward of the fitted model E_p̂[r] ± 2 SE (maximum 0)', y: 'E_p̂[r]', metrics: ['reward'], closedForm: ['reward'], zero: false },
    { id: 'concentration', title: 'Distance² of the mean to the reward\'s centre, and the variance ± 2 SE', y: '‖m − c‖² or v', metrics: ['targetGap', 'variance'], closedForm: ['targetGap', 'variance'] },
    { id: 'kl', title: 'KL(p̂ ‖ P*): how far curation takes the model from the data ± 2 SE', y: 'KL (nats)', metrics: ['klModel'], closedForm: ['klModel'] },
    { id: 'entropy', title: 'Entropy of the fitted model ± 2 SE', y: 'entropy (nats)', metrics: ['entropy'], closedForm: ['entropy'], zero: false },
  ],
  heatmapMetric: 'reward',
  fieldNames: { dim: 'dimension', n: 'samples per generation n', candidates: 'candidates K', tau: 'reward width τ', realFraction: 'fresh share λ', sigma: 'data s*' },
  metricNames: { reward: 'E_p̂[r]', targetGap: '‖m − c‖²', variance: 'variance v', klModel: 'KL(p̂ ‖ P*)', entropy: 'entropy' },
  form: [
    { path: 'dim', label: 'dimension', kind: 'int', optional: '1', help: 'dimension of the data and of the fitted Gaussian (1..8)' },
    { path: 'n', label: 'samples per generation n', kind: 'int', help: 'fresh and curated samples each refit sees' },
    { path: 'candidates', label: 'candidates K', kind: 'int', optional: '4', help: 'the curator keeps one of K samples, x_j with probability ∝ e^{r(x_j)}' },
    { path: 'realFraction', label: 'fresh share λ', kind: 'schedule', optional: '0', help: 'share of each generation drawn fresh from P*' },
    { path: 'target', label: 'reward centre c', kind: 'json', help: 'r(x) = −‖x − c‖²/(2τ²): a number for every coordinate, or a JSON array of dim numbers' },
    { path: 'tau', label: 'reward width τ', kind: 'number', optional: '1', step: 'any', help: 'smaller τ: a sharper curator' },
    { path: 'mean', label: 'data mean μ*', kind: 'json', optional: '0', help: 'a number, or a JSON array of dim numbers' },
    { path: 'sigma', label: 'data s*', kind: 'number', optional: '1', step: 'any', help: 'P* = N(μ*, s*²I)' },
  ],
};
