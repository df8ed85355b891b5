/**
 * What every round is measured against, made once per process: the evaluation images binarised
 * with fixed words (the same for every replicate, round and run), the classifier's features of
 * them (their mean and covariance, and its square root for the Fréchet distance), and the data
 * and weights the kernels read.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { randomWords } from '../../core/cpu/random.js';
import { keyFromSeed } from '../../core/random/address.js';
import { NnTwin } from '../../core/nn/twin.js';
import { forward, layerLayouts } from '../../core/nn/program.js';
import { loadDigits, type DigitSet } from './digits.js';
import { loadClassifier, type ClassifierWeights } from './classifier.js';
import { loadOnce } from './asset.js';
import { PACKED, PIXELS, QUADS } from './ops.js';

/** The words binarising the evaluation images: a fixed key and replicate outside any run's. */
const EVALUATION_KEY = keyFromSeed('synthloop mnist evaluation binarisation');
const EVALUATION_REPLICATE = 0xffffffff;
const EVALUATION_STREAM = 0;

export interface EvaluationData {
  seed: DigitSet;
  pool: DigitSet;
  /** The evaluation images, binarised once, packed (25 words each: 784 bits and the label). */
  evaluationPacked: Uint32Array;
  classifier: ClassifierWeights;
  /** The classifier's penultimate features of the evaluation images: mean, covariance, its symmetric square root. */
  featureMean: Float64Array;
  featureCovariance: Matrix;
  covarianceRoot: Matrix;
}

/**
 * Binarises grayscale images with Bernoulli(pixel/255) coins (one word per pixel, exact in integers)
 * and packs them, classes interleaved (position k·10 + c holds class c's k-th image of a
 * class-major set), so any prefix of a multiple of 10 images is class-balanced.
 */
export function binarisePacked(set: DigitSet): Uint32Array {
  const packed = new Uint32Array(set.count * PACKED);
  const perClass = set.count / 10;
  for (let k = 0; k < set.count; k++) {
    const i = (k % 10) * perClass + Math.floor(k / 10);
    for (let q = 0; q < QUADS; q++) {
      const coins = randomWords(EVALUATION_KEY, EVALUATION_REPLICATE, 0, EVALUATION_STREAM, i * QUADS + q);
      for (let j = 0; j < 4; j++) {
        const p = 4 * q + j;
        if (coins[j] < set.pixels[i * PIXELS + p] * 0x01010101) packed[k * PACKED + (p >>> 5)] |= 1 << (p % 32);
      }
    }
    packed[k * PACKED + 24] |= set.labels[i] << 16;
  }
  return packed;
}

export function unpack(packed: Uint32Array, index: number): Float32Array {
  const image = new Float32Array(PIXELS);
  for (let p = 0; p < PIXELS; p++) image[p] = (packed[index * PACKED + (p >>> 5)] >>> (p % 32)) & 1;
  return image;
}

/** Penultimate-layer features (after its ReLU) of binary images, in float64. */
export function classifierFeatures(weights: ClassifierWeights, images: Float32Array, count: number): Float64Array {
  const sizes = [weights.layers[0].inputs, ...weights.layers.map((l) => l.outputs)];
  const layers = layerLayouts('classifier', sizes, sizes.slice(1).map((_, i, all) => (i < all.length - 1 ? 'relu' : 'none')));
  const tensors = { classifier: { size: weights.params.length, shared: true }, x: { size: count * PIXELS },
    ...Object.fromEntries(sizes.slice(1).map((width, i) => [`c${i}`, { size: count * width }])) };
  const twin = new NnTwin(tensors, 1, [0, 0]);
  twin.write('classifier', weights.params);
  twin.write('x', images);
  twin.run(forward(layers, { tensor: 'x', rows: count, cols: PIXELS }, sizes.slice(1).map((width, i) => ({ tensor: `c${i}`, rows: count, cols: width }))));
  return twin.tensors[`c${sizes.length - 3}`] as Float64Array;
}

/** Mean and (n − 1)-normalised covariance of `count` rows of `width` values. */
export function moments(rows: Float64Array, count: number, width: number): { mean: Float64Array; covariance: Matrix } {
  const mean = new Float64Array(width);
  for (let i = 0; i < count; i++) for (let j = 0; j < width; j++) mean[j] += rows[i * width + j] / count;
  const covariance = Matrix.zeros(width, width);
  for (let i = 0; i < count; i++) {
    for (let a = 0; a < width; a++) {
      const da = rows[i * width + a] - mean[a];
      if (da === 0) continue;
      for (let b = 0; b <= a; b++) covariance.set(a, b, covariance.get(a, b) + da * (rows[i * width + b] - mean[b]));
    }
  }
  for (let a = 0; a < width; a++) for (let b = 0; b <= a; b++) {
    const v = covariance.get(a, b) / (count - 1);
    covariance.set(a, b, v);
    covariance.set(b, a, v);
  }
  return { mean, covariance };
}

/** Eigenvalues of a symmetric matrix. */
const eigenvalues = (m: Matrix) => new EigenvalueDecomposition(m, { assumeSymmetric: true }).realEigenvalues;

/** The symmetric square root of a positive semi-definite matrix (negative rounding-level eigenvalues as 0). */
export function symmetricRoot(m: Matrix): Matrix {
  const decomposition = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const vectors = decomposition.eigenvectorMatrix;
  const roots = Matrix.diag(decomposition.realEigenvalues.map((v) => Math.sqrt(Math.max(v, 0))));
  return vectors.mmul(roots).mmul(vectors.transpose());
}

/**
 * Fréchet distance between the evaluation features N(μ_E, Σ_E) and a sample's, given the sample's
 * sums of centred features s = Σ (f − μ_E) and G = Σ (f − μ_E)(f − μ_E)ᵀ over n images:
 * ‖μ − μ_E‖² + tr Σ_E + tr Σ − 2 tr (Σ_E^½ Σ Σ_E^½)^½.
 */
export function frechetDistance(data: EvaluationData, sums: Float64Array, gram: Float64Array, n: number): number {
  const width = data.featureMean.length;
  const shift = Array.from(sums, (s) => s / n);
  const sample = new Matrix(width, width);
  for (let a = 0; a < width; a++) for (let b = 0; b < width; b++) sample.set(a, b, (gram[a * width + b] - n * shift[a] * shift[b]) / (n - 1));
  const symmetric = sample.add(sample.transpose()).mul(0.5);
  const product = data.covarianceRoot.mmul(symmetric).mmul(data.covarianceRoot);
  const cross = eigenvalues(product.add(product.transpose()).mul(0.5)).reduce((s, v) => s + Math.sqrt(Math.max(v, 0)), 0);
  return shift.reduce((s, v) => s + v * v, 0) + data.featureCovariance.trace() + symmetric.trace() - 2 * cross;
}

/** The data and the evaluation statistics, computed once per process. */
export const loadEvaluationData: () => Promise<EvaluationData> = loadOnce(async () => {
  const [digits, classifier] = await Promise.all([loadDigits(), loadClassifier()]);
  const evaluationPacked = binarisePacked(digits.evaluation);
  const count = digits.evaluation.count;
  const images = new Float32Array(count * PIXELS);
  for (let i = 0; i < count; i++) images.set(unpack(evaluationPacked, i), i * PIXELS);
  const width = classifier.layers.at(-2)!.outputs;
  const { mean, covariance } = moments(classifierFeatures(classifier, images, count), count, width);
  return {
    seed: digits.seed, pool: digits.pool, evaluationPacked, classifier,
    featureMean: mean, featureCovariance: covariance, covarianceRoot: symmetricRoot(covariance),
  };
});
