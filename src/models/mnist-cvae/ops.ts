/**
 * The custom operations of the MNIST conditional-VAE loop (shaders/mnist-cvae/cvae.wgsl), each
 * a builder of its op's words (the kernel's layout, in the order it reads them) and its float64
 * twin, which does what the entry point does on the same random words.
 */
import { normals4, randomWords, uniformOpen01 } from '../../core/cpu/random.js';
import { NN_CONTEXT, floatWord, wordFloat, type CustomKernel, type CustomOp, type TwinInvocation } from '../../core/nn/program.js';
import type { Kernel } from '../../core/kernel.js';
import cvaeSource from '../../../shaders/mnist-cvae/cvae.wgsl?raw';

export const PIXELS = 784;
export const QUADS = 196;
/** u32 words of a packed binary image (784 bits and the label in bits 16–19 of word 24). */
export const PACKED = 25;
export const CLASSES = 10;

const CVAE_KERNEL: Kernel = { name: 'mnist_cvae', source: cvaeSource, libraries: [NN_CONTEXT] };

/** A tensor and its words per replicate (0 where shared), as the kernels address it. */
export interface Bound {
  name: string;
  size: number;
}

type Twin = (inv: TwinInvocation, threads: number) => void;
const kernel = (entryPoint: string, twin: Twin): CustomKernel => ({ kernel: CVAE_KERNEL, entryPoint, twin });

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const softplus = (x: number) => Math.max(x, 0) + Math.log(1 + Math.exp(-Math.abs(x)));
/** ⌊w · count / 2³²⌋ (exact: the product stays below 2⁵³). */
const indexBelow = (w: number, count: number) => Math.floor((w * count) / 2 ** 32);
const words = (inv: TwinInvocation, stream: number, index: number) => randomWords(inv.key, inv.replicate, inv.round, stream, index >>> 0);
const f64 = (inv: TwinInvocation, name: string) => inv.tensors[name] as Float64Array;
const u32 = (inv: TwinInvocation, name: string) => inv.tensors[name] as Uint32Array;

/** The tensors an op binds, in binding order (the twin reads them from the op it was built into). */
const tensorsOf = new WeakMap<readonly number[], string[]>();

function custom(kernel: CustomKernel, tensors: string[], words: number[], threads: number): CustomOp {
  tensorsOf.set(words, tensors);
  return { op: 'custom', kernel, tensors, words, threads };
}
const bound = (inv: TwinInvocation) => tensorsOf.get(inv.words)!;

const GATHER = kernel('gather', (inv) => {
  const [rows, stride, , first, mode, packedCount, , realCount, threshold, indexStream, binariseStream, oneHot] = inv.words;
  const [xName, packedName, grayName, labelsName] = bound(inv);
  const x = f64(inv, xName), packed = u32(inv, packedName), gray = u32(inv, grayName), labels = u32(inv, labelsName);
  for (let row = 0; row < rows; row++) {
    const draw = inv.step * rows + row;
    let real = mode === 2, index: number;
    if (mode === 1) index = draw % packedCount;
    else {
      const w = words(inv, indexStream, draw);
      real ||= w[1] < threshold;
      index = indexBelow(w[0], real ? realCount : packedCount);
    }
    const at = inv.base(xName) + (first + row) * stride;
    let label: number;
    if (real) {
      for (let q = 0; q < QUADS; q++) {
        const g = gray[index * QUADS + q], coins = words(inv, binariseStream, draw * QUADS + q);
        for (let j = 0; j < 4; j++) x[at + 4 * q + j] = coins[j] < ((g >>> (8 * j)) & 0xff) * 0x01010101 ? 1 : 0;
      }
      label = labels[index];
    } else {
      const base = inv.base(packedName) + index * PACKED;
      for (let p = 0; p < PIXELS; p++) x[at + p] = (packed[base + (p >>> 5)] >>> (p % 32)) & 1;
      label = (packed[base + 24] >>> 16) & 0xf;
    }
    if (oneHot) for (let c = 0; c < CLASSES; c++) x[at + PIXELS + c] = c === label ? 1 : 0;
  }
});


export interface GatherSource {
  /** 'mix': real with probability realFraction, else packed (drawn); 'sequential': packed images in order; 'real': real only (drawn). */
  mode: 'mix' | 'sequential' | 'real';
  packed: Bound;
  packedCount: number;
  gray: string;
  labels: string;
  realCount: number;
  realFraction?: number;
  indexStream: number;
  binariseStream: number;
}

/** Rows [first, first + rows) of x (stride 784, or 794 with the label one-hot) from a source, at the program's step. */
export function gather(x: Bound, stride: number, first: number, rows: number, source: GatherSource): CustomOp {
  const mode = { mix: 0, sequential: 1, real: 2 }[source.mode];
  const threshold = Math.min(Math.floor((source.realFraction ?? 0) * 2 ** 32), 2 ** 32 - 1);
  return custom(GATHER, [x.name, source.packed.name, source.gray, source.labels],
    [rows, stride, x.size, first, mode, Math.max(source.packedCount, 1), source.packed.size, source.realCount, threshold,
      source.indexStream, source.binariseStream, stride > PIXELS ? 1 : 0], rows * QUADS);
}

const REPARAMETERISE = kernel('reparameterise', (inv) => {
  const [rows, latent, , , , , xStride, stream, quads] = inv.words;
  const [encName, epsName, zinName, xName] = bound(inv);
  const enc = f64(inv, encName), eps = f64(inv, epsName), zin = f64(inv, zinName), x = f64(inv, xName);
  for (let row = 0; row < rows; row++) {
    const e0 = inv.base(encName) + row * 2 * latent, z0 = inv.base(zinName) + row * (latent + CLASSES);
    for (let q = 0; q < quads; q++) {
      const e = normals4(words(inv, stream, (inv.step * rows + row) * quads + q));
      for (let j = 0; j < 4 && 4 * q + j < latent; j++) {
        const d = 4 * q + j;
        eps[inv.base(epsName) + row * latent + d] = e[j];
        zin[z0 + d] = enc[e0 + d] + Math.exp(0.5 * enc[e0 + latent + d]) * e[j];
      }
    }
    const x0 = inv.base(xName) + row * xStride + PIXELS;
    for (let c = 0; c < CLASSES; c++) zin[z0 + latent + c] = x[x0 + c];
  }
});

/** z = μ + σ·ε for rows of enc (μ | log σ²), ε kept in eps; zin = [z, the one-hot of x's row]. */
export function reparameterise(rows: number, latent: number, enc: Bound, eps: Bound, zin: Bound, x: Bound, xStride: number, stream: number): CustomOp {
  const quads = Math.ceil(latent / 4);
  return custom(REPARAMETERISE, [enc.name, eps.name, zin.name, x.name], [rows, latent, enc.size, eps.size, zin.size, x.size, xStride, stream, quads], rows * quads);
}

const PRIOR = kernel('prior', (inv) => {
  const [rows, latent, , first, stream, drawn, perClass, quads] = inv.words;
  const [zinName] = bound(inv);
  const zin = f64(inv, zinName);
  for (let row = 0; row < rows; row++) {
    const w0 = (inv.step * rows + row) * (quads + 1), z0 = inv.base(zinName) + (first + row) * (latent + CLASSES);
    for (let q = 0; q < quads; q++) {
      const e = normals4(words(inv, stream, w0 + q));
      for (let j = 0; j < 4 && 4 * q + j < latent; j++) zin[z0 + 4 * q + j] = e[j];
    }
    const label = drawn ? indexBelow(words(inv, stream, w0 + quads)[0], CLASSES) : Math.floor(row / perClass) % CLASSES;
    for (let c = 0; c < CLASSES; c++) zin[z0 + latent + c] = c === label ? 1 : 0;
  }
});

/** Decoder inputs [z ~ N(0, I), one-hot] for rows [first, first + rows) of zin: labels class-major (row / perClass) or drawn uniformly. */
export function prior(rows: number, latent: number, zin: Bound, first: number, stream: number, labels: { perClass: number } | 'drawn'): CustomOp {
  const quads = Math.ceil(latent / 4);
  return custom(PRIOR, [zin.name], [rows, latent, zin.size, first, stream, labels === 'drawn' ? 1 : 0, labels === 'drawn' ? 1 : labels.perClass, quads], rows * quads);
}

const BERNOULLI_GRAD = kernel('bernoulli_grad', (inv) => {
  const [rows, , , xStride, scaleWord] = inv.words;
  const [logitsName, xName, gradName] = bound(inv);
  const logits = f64(inv, logitsName), x = f64(inv, xName), grad = f64(inv, gradName), scale = wordFloat(scaleWord);
  for (let row = 0; row < rows; row++) {
    for (let p = 0; p < PIXELS; p++) {
      const at = row * PIXELS + p;
      grad[inv.base(gradName) + at] = (sigmoid(logits[inv.base(logitsName) + at]) - x[inv.base(xName) + row * xStride + p]) * scale;
    }
  }
});

/** d loss / d logits = (σ(l) − x)·scale (scale 1/batch: the loss is the batch mean). */
export function bernoulliGrad(rows: number, logits: Bound, x: Bound, xStride: number, grad: Bound, scale: number): CustomOp {
  return custom(BERNOULLI_GRAD, [logits.name, x.name, grad.name], [rows, logits.size, x.size, xStride, floatWord(scale), grad.size], rows * PIXELS);
}

const LATENT_GRAD = kernel('latent_grad', (inv) => {
  const [rows, latent, , , , , scaleWord] = inv.words;
  const [encName, epsName, dzinName, dencName] = bound(inv);
  const enc = f64(inv, encName), eps = f64(inv, epsName), dzin = f64(inv, dzinName), denc = f64(inv, dencName), scale = wordFloat(scaleWord);
  for (let row = 0; row < rows; row++) {
    for (let d = 0; d < latent; d++) {
      const e0 = inv.base(encName) + row * 2 * latent;
      const mu = enc[e0 + d], logVar = enc[e0 + latent + d];
      const g = dzin[inv.base(dzinName) + row * (latent + CLASSES) + d], e = eps[inv.base(epsName) + row * latent + d];
      const d0 = inv.base(dencName) + row * 2 * latent;
      denc[d0 + d] = g + mu * scale;
      denc[d0 + latent + d] = 0.5 * g * e * Math.exp(0.5 * logVar) + 0.5 * (Math.exp(logVar) - 1) * scale;
    }
  }
});

/** Gradient at the encoder's output (μ | log σ²): the decoder's, through z, plus the KL term's (scaled as the batch mean). */
export function latentGrad(rows: number, latent: number, enc: Bound, eps: Bound, dzin: Bound, denc: Bound, scale: number): CustomOp {
  return custom(LATENT_GRAD, [enc.name, eps.name, dzin.name, denc.name], [rows, latent, enc.size, eps.size, dzin.size, denc.size, floatWord(scale)], rows * latent);
}

const ELBO_ROWS = kernel('elbo_rows', (inv) => {
  const [rows, latent, , , xStride] = inv.words;
  const [logitsName, xName, encName, valueName] = bound(inv);
  const logits = f64(inv, logitsName), x = f64(inv, xName), enc = f64(inv, encName), value = f64(inv, valueName);
  for (let row = 0; row < rows; row++) {
    let reconstruction = 0, kl = 0;
    for (let p = 0; p < PIXELS; p++) {
      const l = logits[inv.base(logitsName) + row * PIXELS + p];
      reconstruction += softplus(l) - x[inv.base(xName) + row * xStride + p] * l;
    }
    const e0 = inv.base(encName) + row * 2 * latent;
    for (let d = 0; d < latent; d++) {
      const mu = enc[e0 + d], logVar = enc[e0 + latent + d];
      kl += 0.5 * (mu * mu + Math.exp(logVar) - logVar - 1);
    }
    value[inv.base(valueName) + row] = reconstruction + kl;
  }
});

/** Each row's negative ELBO (one z sample): Bernoulli reconstruction in nats plus the KL to the prior. */
export function elboRows(rows: number, latent: number, logits: Bound, x: Bound, xStride: number, enc: Bound, value: Bound): CustomOp {
  return custom(ELBO_ROWS, [logits.name, x.name, enc.name, value.name], [rows, latent, logits.size, x.size, xStride, enc.size, value.size], rows);
}

const SAMPLE_PIXELS = kernel('sample_pixels', (inv) => {
  const [rows, , , xStride, first, stream] = inv.words;
  const [logitsName, xName] = bound(inv);
  const logits = f64(inv, logitsName), x = f64(inv, xName);
  for (let row = 0; row < rows; row++) {
    for (let q = 0; q < QUADS; q++) {
      const coins = words(inv, stream, (inv.step * rows + row) * QUADS + q);
      for (let j = 0; j < 4; j++) {
        const l = logits[inv.base(logitsName) + row * PIXELS + 4 * q + j];
        x[inv.base(xName) + (first + row) * xStride + 4 * q + j] = uniformOpen01(coins[j]) < sigmoid(l) ? 1 : 0;
      }
    }
  }
});

/** Bernoulli(σ(logits)) images into rows [first, first + rows) of x. */
export function samplePixels(rows: number, logits: Bound, x: Bound, xStride: number, first: number, stream: number): CustomOp {
  return custom(SAMPLE_PIXELS, [logits.name, x.name], [rows, logits.size, x.size, xStride, first, stream], rows * QUADS);
}

const LOGISTIC_GRAD = kernel('logistic_grad', (inv) => {
  const [rows, , half, scaleWord] = inv.words;
  const [outName, gradName] = bound(inv);
  const out = f64(inv, outName), grad = f64(inv, gradName), scale = wordFloat(scaleWord);
  for (let row = 0; row < rows; row++) grad[inv.base(gradName) + row] = (sigmoid(out[inv.base(outName) + row]) - (row < half ? 1 : 0)) * scale;
});

/** The verifier's logistic-loss gradient: rows before `half` real (target 1), the rest generated (0). */
export function logisticGrad(rows: number, out: Bound, grad: Bound, half: number, scale: number): CustomOp {
  return custom(LOGISTIC_GRAD, [out.name, grad.name], [rows, out.size, half, floatWord(scale), grad.size], rows);
}

const TOP_K = kernel('top_k', (inv) => {
  const [rows, chunk, keep, , , xStride, , firstSlot, perClass, ranked] = inv.words;
  const [outName, xName, dataName] = bound(inv);
  const out = f64(inv, outName), x = f64(inv, xName), data = u32(inv, dataName);
  for (let row = 0; row < rows; row++) {
    const cls = Math.floor(row / chunk), i = row % chunk;
    let rank = i;
    if (ranked) {
      rank = 0;
      const first = inv.base(outName) + cls * chunk, mine = Math.fround(out[first + i]);
      for (let j = 0; j < chunk; j++) {
        const other = Math.fround(out[first + j]);
        if (other > mine || (other === mine && j < i)) rank++;
      }
    }
    const position = inv.step * keep + rank;
    if (rank >= keep || position >= perClass) continue;
    const slot = inv.base(dataName) + (firstSlot + cls * perClass + position) * PACKED;
    const x0 = inv.base(xName) + row * xStride;
    for (let k = 0; k < PACKED; k++) {
      let packed = 0;
      for (let b = 0; b < 32; b++) {
        const p = 32 * k + b;
        if (p < PIXELS && x[x0 + p] > 0.5) packed |= 1 << b;
      }
      if (k === 24) packed |= (cls % CLASSES) << 16;
      data[slot + k] = packed >>> 0;
    }
  }
});

/**
 * The filter on one batch of candidates (rows = classes × chunk, class-major): per class the top
 * `keep` by the verifier's logit (ties to the lower index), or the first `keep` when not ranked,
 * packed into the data at positions step·keep + rank of the class's block (those past perClass dropped).
 */
export function topK(chunk: number, keep: number, out: Bound, x: Bound, xStride: number, data: Bound, firstSlot: number, perClass: number, ranked: boolean): CustomOp {
  const rows = CLASSES * chunk;
  return custom(TOP_K, [out.name, x.name, data.name], [rows, chunk, keep, out.size, x.size, xStride, data.size, firstSlot, perClass, ranked ? 1 : 0], rows);
}

const CORRECT_ROWS = kernel('correct_rows', (inv) => {
  const [rows, , , perClass] = inv.words;
  const [outName, valueName] = bound(inv);
  const out = f64(inv, outName), value = f64(inv, valueName);
  for (let row = 0; row < rows; row++) {
    const o = inv.base(outName) + row * CLASSES;
    let best = 0;
    for (let c = 1; c < CLASSES; c++) if (out[o + c] > out[o + best]) best = c;
    value[inv.base(valueName) + row] = best === Math.floor(row / perClass) % CLASSES ? 1 : 0;
  }
});

/** 1 where the classifier's first maximum is the row's class-major label. */
export function correctRows(rows: number, out: Bound, value: Bound, perClass: number): CustomOp {
  return custom(CORRECT_ROWS, [out.name, value.name], [rows, out.size, value.size, perClass], rows);
}

const SIGN_ROWS = kernel('sign_rows', (inv) => {
  const [rows, , , half] = inv.words;
  const [outName, valueName] = bound(inv);
  const out = f64(inv, outName), value = f64(inv, valueName);
  for (let row = 0; row < rows; row++) {
    const l = out[inv.base(outName) + row];
    value[inv.base(valueName) + row] = (row < half ? l > 0 : l < 0) ? 1 : 0;
  }
});

/** 1 where the verifier is right: logit > 0 on the real rows (before `half`), < 0 on the generated ones. */
export function signRows(rows: number, out: Bound, value: Bound, half: number): CustomOp {
  return custom(SIGN_ROWS, [out.name, value.name], [rows, out.size, value.size, half], rows);
}

const CENTER = kernel('center', (inv) => {
  const [rows, columns] = inv.words;
  const [featuresName, meanName] = bound(inv);
  const features = f64(inv, featuresName), mean = f64(inv, meanName);
  for (let i = 0; i < rows * columns; i++) features[inv.base(featuresName) + i] -= Math.fround(mean[i % columns]);
});

/** Features minus a shared vector (the evaluation set's mean features), so their moments are summed small. */
export function center(rows: number, columns: number, features: Bound, mean: string): CustomOp {
  return custom(CENTER, [features.name, mean], [rows, columns, features.size], rows * columns);
}
