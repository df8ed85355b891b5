/** How mnist-cvae is shown: its figures, names and the demo form's fields. */
import type { ModelView } from '../../core/engine/view.js';

export const mnistCvaeView: ModelView = {
  figures: [
    { id: 'nelbo', title: 'Test NELBO (nats per image) ± 2 SE', y: 'NELBO (nats/image)', metrics: ['nelbo'], zero: false },
    { id: 'fid', title: 'FID to real digits (classifier features) ± 2 SE', y: 'FID', metrics: ['fid'], zero: false },
    { id: 'accuracy', title: 'Classifier accuracy on generated digits ± 2 SE', y: 'accuracy', metrics: ['accuracy'], yDomain: [0, 1] },
    { id: 'verifier', title: 'Verifier\'s held-out accuracy ± 2 SE', y: 'accuracy', metrics: ['verifierAccuracy'], yDomain: [0, 1], fromT: 1 },
  ],
  heatmapMetric: 'fid',
  fieldNames: { keepFraction: 'kept fraction', n: 'samples per generation n' },
  metricNames: { nelbo: 'NELBO', fid: 'FID', accuracy: 'accuracy', verifierAccuracy: 'verifier accuracy' },
  form: [
    { path: 'hidden', label: 'CVAE hidden width H', kind: 'int', optional: '64', help: 'encoder and decoder hidden layer' },
    { path: 'latent', label: 'latent dimension d_z', kind: 'int', optional: '8', help: 'the CVAE\'s latent code' },
    { path: 'n', label: 'kept images per round n', kind: 'schedule', help: 'images the next CVAE trains on (a multiple of 10), or a schedule as JSON' },
    { path: 'steps', label: 'training steps', kind: 'int', help: 'Adam steps per round, from scratch' },
    { path: 'chunk', label: 'verifier chunk', kind: 'int', help: 'candidates per class ranked at once; keepFraction × chunk are kept' },
    { path: 'verifier.steps', label: 'verifier steps', kind: 'int', optional: '200', help: 'training steps of the discriminator-verifier each round' },
  ],
  cellsOverTime: true,
  cellValueNote: (path, value) => (path === 'keepFraction' ? (value < 1 ? 'filtered' : 'unfiltered') : undefined),
};
