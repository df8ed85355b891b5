// mnist-cvae (docs/science.md, "Verified retraining of a neural generator"): the CVAE's loss gradient
// on the float64 twin against finite differences of its loss, the filter against a sort, and the
// whole loop on every working adapter against the twin.
import { describe, expect, it } from 'vitest';
import { NnTwin } from '../src/core/nn/twin.js';
import { initialiseLayers } from '../src/core/nn/program.js';
import { keyFromSeed } from '../src/core/random/address.js';
import { CvaeLayout, CvaeLoop, CvaeStream } from '../src/models/mnist-cvae/loop.js';
import { loadEvaluationData } from '../src/models/mnist-cvae/evaluation.js';
import { parseMnistCvaeSpec } from '../src/models/mnist-cvae/spec.js';

const data = await loadEvaluationData();
const CLASSIFIER = [784, 256, 128, 10];

const tiny = (fields: Record<string, unknown> = {}) => parseMnistCvaeSpec({
  model: 'mnist-cvae', hidden: 6, latent: 3, batch: 4, n: 100, steps: 3, chunk: 10,
  verifier: { hidden: [5], steps: 2, batch: 8 }, evaluation: { images: 20, samples: 20, heldout: 10 },
  generations: 1, replicates: 2, seed: 'fd', ...fields,
});

describe('mnist-cvae on the float64 twin', () => {
  it('the loss gradient matches central finite differences of the batch negative ELBO (every layer, weights and biases)', async () => {
    const spec = tiny();
    const layout = new CvaeLayout(spec, CLASSIFIER);
    const twin = new NnTwin(layout.withData(data), 1, keyFromSeed(spec.seed));
    const loop = await CvaeLoop.create(layout, twin, data);
    twin.setRound(0);
    twin.run(initialiseLayers([...layout.encoder, ...layout.decoder], { params: 'gen', m: 'genM', v: 'genV' }, CvaeStream.generatorInit));
    const source = loop.seedSource();
    twin.run(loop.lossGradient(source));
    const analytic = twin.tensors.genGrad.slice();
    const params = twin.tensors.gen as Float64Array;
    const loss = () => {
      twin.run(loop.batchLoss(source));
      return (twin.tensors.rowValue as Float64Array).subarray(0, spec.batch).reduce((s, v) => s + v, 0) / spec.batch;
    };
    const h = 1e-6;
    // Probes in every layer: encoder, decoder, weights and biases.
    const layers = [...layout.encoder, ...layout.decoder];
    const probes = layers.flatMap((layer) => {
      const w = layer.weights.offset!, b = layer.bias.offset!;
      return [w, w + Math.floor(layer.inputs * layer.outputs / 2) + 1, w + layer.inputs * layer.outputs - 1, b, b + layer.outputs - 1];
    });
    let worst = 0;
    for (const index of probes) {
      const saved = params[index];
      params[index] = saved + h; const up = loss();
      params[index] = saved - h; const down = loss();
      params[index] = saved;
      const numeric = (up - down) / (2 * h);
      worst = Math.max(worst, Math.abs(numeric - analytic[index]) / Math.max(1, Math.abs(numeric)));
    }
    expect(worst).toBeLessThan(1e-5);
  });
});
