// assets/mnist-classifier.bin: the evaluation classifier's weights as
// src/models/mnist-cvae/classifier.ts reads them, digest checked, and a real check of what ships:
// a float64 forward pass (plain loops) on the evaluation set E, binarised with a fixed seed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { ASSET_HEADER_BYTES } from '../src/models/mnist-cvae/asset.js';
import { layerOffsets, loadClassifier, parseClassifier, type ClassifierWeights } from '../src/models/mnist-cvae/classifier.js';
import { CLASSES, IMAGE_PIXELS, loadDigits, type DigitSet } from '../src/models/mnist-cvae/digits.js';

const FILE = fileURLToPath(new URL('../assets/mnist-classifier.bin', import.meta.url));

let weights: ClassifierWeights;
let bytes: Uint8Array;

beforeAll(async () => {
  bytes = new Uint8Array(readFileSync(FILE));
  weights = await loadClassifier();
});

/** The predicted class of each image (rows of 784 inputs in {0, 1}), in float64. */
function predict(weights: ClassifierWeights, inputs: Float64Array, count: number): Uint8Array {
  const offsets = layerOffsets(weights);
  const { params } = weights;
  const predicted = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    let h = inputs.subarray(n * IMAGE_PIXELS, (n + 1) * IMAGE_PIXELS) as Float64Array;
    weights.layers.forEach(({ inputs: fanIn, outputs }, layer) => {
      const z = new Float64Array(outputs);
      for (let o = 0; o < outputs; o++) z[o] = params[offsets[layer].bias + o];
      for (let i = 0; i < fanIn; i++) {
        const x = h[i];
        if (x === 0) continue;
        const row = offsets[layer].weights + i * outputs;
        for (let o = 0; o < outputs; o++) z[o] += x * params[row + o];
      }
      if (layer < weights.layers.length - 1) for (let o = 0; o < outputs; o++) z[o] = Math.max(z[o], 0);
      h = z;
    });
    let best = 0;
    for (let c = 1; c < h.length; c++) if (h[c] > h[best]) best = c;
    predicted[n] = best;
  }
  return predicted;
}

const accuracy = (set: DigitSet, predicted: Uint8Array) => predicted.filter((p, i) => p === set.labels[i]).length / set.count;

describe('assets/mnist-classifier.bin', () => {
  it('parses: 784 → 256 → 128 → 10, every parameter finite, read once', async () => {
    expect(weights.layers).toEqual([{ inputs: 784, outputs: 256 }, { inputs: 256, outputs: 128 }, { inputs: 128, outputs: CLASSES }]);
    expect(weights.params.length).toBe(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
    expect(weights.params.every(Number.isFinite)).toBe(true);
    expect(await loadClassifier()).toBe(weights);
    console.log(`assets/mnist-classifier.bin: ${bytes.length} bytes, ${weights.params.length} parameters`);
  });

  it('refuses a corrupted byte, naming the asset', async () => {
    const corrupt = (at: number) => {
      const copy = bytes.slice();
      copy[at] ^= 0x01;
      return parseClassifier(copy);
    };
    await expect(corrupt(ASSET_HEADER_BYTES + 1000)).rejects.toThrow(/^assets\/mnist-classifier\.bin: SHA-256 of the payload/);
    await expect(corrupt(bytes.length - 1)).rejects.toThrow(/^assets\/mnist-classifier\.bin: SHA-256 of the payload/);
    await expect(corrupt(25)).rejects.toThrow(/^assets\/mnist-classifier\.bin: SHA-256 of the payload/);
    await expect(corrupt(2)).rejects.toThrow(/^assets\/mnist-classifier\.bin: not a SLMLPCLS file/);
    await expect(parseClassifier(bytes.subarray(0, bytes.length - 4))).rejects.toThrow(/^assets\/mnist-classifier\.bin: /);
  });

  it('classifies the evaluation set, binarised by Bernoulli(pixel / 255), with accuracy ≥ 0.95', async () => {
    const { evaluation } = await loadDigits();
    const random = seedrandom('synthloop mnist classifier test');
    const binary = Float64Array.from(evaluation.pixels, (v) => (random() < v / 255 ? 1 : 0));
    const thresholded = Float64Array.from(evaluation.pixels, (v) => (v >= 128 ? 1 : 0));
    const dynamic = accuracy(evaluation, predict(weights, binary, evaluation.count));
    const fixed = accuracy(evaluation, predict(weights, thresholded, evaluation.count));
    console.log(`E accuracy: binarised ${dynamic.toFixed(4)}, thresholded at 0.5 ${fixed.toFixed(4)}`);
    expect(dynamic).toBeGreaterThanOrEqual(0.95);
    expect(fixed).toBeGreaterThanOrEqual(0.95);
  });
});
