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

describe('the filter', () => {
  it('keeps, per class, exactly the top k of each chunk by logit with ties to the lower index (against a sort), on the twin and every adapter', async () => {
    const { NnGpu } = await import('../src/core/nn/gpu.js');
    const { acquireDevice } = await import('../src/core/gpu/device.js');
    const { workingPaths } = await import('./helpers/adapters.js');
    const { topK, PACKED } = await import('../src/models/mnist-cvae/ops.js');
    const chunk = 12, keep = 5, perClass = 7, R = 2, rows = 10 * chunk;
    const specs = { vout: { size: rows }, vx: { size: rows * 784 }, data: { size: 10 * perClass * PACKED, type: 'u32' as const } };
    // Logits with many ties (integers in 0..3), and each candidate's image marked by its index in its first pixels.
    const logits = Float32Array.from({ length: R * rows }, (_, i) => (i * 7919) % 4);
    const images = new Float32Array(R * rows * 784);
    for (let i = 0; i < R * rows; i++) for (let b = 0; b < 7; b++) images[i * 784 + b] = ((i % rows) >> b) & 1;
    const expected = (r: number, step: number) => Array.from({ length: 10 }, (_, c) => {
      const group = Array.from({ length: chunk }, (_, j) => ({ j, l: logits[r * rows + c * chunk + j] }));
      group.sort((a, b) => b.l - a.l || a.j - b.j);
      return group.slice(0, keep).map(({ j }, rank) => ({ slot: c * perClass + step * keep + rank, index: c * chunk + j }))
        .filter(({ slot }) => slot < (c + 1) * perClass);
    }).flat();
    const check = (data: Uint32Array, step: number) => {
      for (let r = 0; r < R; r++) {
        for (const { slot, index } of expected(r, step)) {
          const word = data[r * specs.data.size + slot * PACKED];
          expect(word & 0x7f).toBe(index);
          expect((data[r * specs.data.size + slot * PACKED + 24] >>> 16) & 0xf).toBe(Math.floor(index / chunk));
        }
      }
    };
    const op = topK(chunk, keep, { name: 'vout', size: rows }, { name: 'vx', size: rows * 784 }, 784, { name: 'data', size: specs.data.size }, 0, perClass, true);
    const twin = new NnTwin(specs, R, [1, 2]);
    twin.write('vout', logits);
    twin.write('vx', images);
    for (const step of [0, 1]) {
      twin.step = step;
      twin.run([op]);
      check(twin.tensors.data as Uint32Array, step);
    }
    for (const path of await workingPaths()) {
      const gpu = await acquireDevice({ adapter: path });
      const device = new NnGpu(gpu, specs, R, [1, 2]);
      try {
        device.write('vout', logits);
        device.write('vx', images);
        const program = await device.compile([op, { op: 'tick' }]);
        device.execute(program, 2);
        const data = await device.read('data') as Uint32Array;
        check(data, 0);
        check(data, 1);
      } finally {
        device.destroy();
        gpu.device.destroy();
      }
    }
  });
});

describe('mnist-cvae runs', () => {
  const spec = {
    model: 'mnist-cvae', hidden: 8, latent: 2, batch: 16, n: 40, steps: 6, chunk: 10,
    verifier: { hidden: [8], steps: 3, batch: 16 }, evaluation: { images: 20, samples: 20, heldout: 10 },
    generations: 1, replicates: 3, seed: 'runs',
  };

  it('are deterministic per seed, each replicate the same whatever the chunking, and differ with the seed', async () => {
    const { acquireDevice } = await import('../src/core/gpu/device.js');
    const { parseSpec, runExperiment } = await import('../src/models/index.js');
    const { workingPaths } = await import('./helpers/adapters.js');
    const [path] = await workingPaths();
    const gpu = await acquireDevice({ adapter: path });
    try {
      const run = async (fields: Record<string, unknown>, chunkReplicates?: number) =>
        runExperiment(parseSpec({ ...spec, ...fields }), { gpu, chunkReplicates, captureReplicateRows: true });
      const whole = await run({});
      const again = await run({});
      const chunked = await run({}, 1);
      const other = await run({ seed: 'other' });
      const rows = (r: Awaited<ReturnType<typeof run>>) => r.replicateRows!.map((row) => Array.from(row.metrics));
      expect(rows(again)).toEqual(rows(whole));
      expect(rows(chunked)).toEqual(rows(whole));
      expect(again.generations).toEqual(whole.generations);
      expect(rows(other)[1]).not.toEqual(rows(whole)[1]);
      // Round 0 trains on real seed images: its NELBO is finite and positive, FID positive, accuracy a fraction.
      const [g0] = whole.generations as Record<string, number>[];
      expect(g0.nelbo).toBeGreaterThan(100);
      expect(g0.fid).toBeGreaterThan(0);
      expect(g0.accuracy).toBeGreaterThanOrEqual(0);
      expect(g0.accuracy).toBeLessThanOrEqual(1);
    } finally {
      gpu.device.destroy();
    }
  });
});
