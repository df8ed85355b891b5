// assets/mnist-digits.bin: the fixed split of the `mnist` package's digits (scripts/mnist-split.mjs)
// as src/models/mnist-cvae/digits.ts reads it — its counts, S ⊂ V, E ∩ V = ∅, the payload rebuilt
// byte for byte from the package, and a corrupted file refused naming the asset.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeDigitsPayload, EVALUATION_PER_CLASS, MNIST_SPLIT_SEED, readMnistPackage, SEED_PER_CLASS, splitDigits } from '../scripts/mnist-split.mjs';
import { ASSET_HEADER_BYTES } from '../src/models/mnist-cvae/asset.js';
import { CLASSES, IMAGE_PIXELS, loadDigits, parseDigits, type Digits, type DigitSet } from '../src/models/mnist-cvae/digits.js';

const FILE = fileURLToPath(new URL('../assets/mnist-digits.bin', import.meta.url));
/** Images per class in the `mnist` package, 1.1.0. */
const PER_CLASS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

let digits: Digits;
let bytes: Uint8Array;

beforeAll(async () => {
  bytes = new Uint8Array(readFileSync(FILE));
  digits = await loadDigits();
});

const image = (set: DigitSet, i: number) => set.pixels.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
const imageHash = (set: DigitSet, i: number) => createHash('sha256').update(image(set, i)).digest('hex');
const perClass = (set: DigitSet) => Array.from({ length: CLASSES }, (_, c) => set.labels.filter((l) => l === c).length);

describe('assets/mnist-digits.bin', () => {
  it('parses, and loadDigits reads it once', async () => {
    expect(await loadDigits()).toBe(digits);
    for (const set of [digits.evaluation, digits.pool, digits.seed]) {
      expect(set.pixels.length).toBe(set.count * IMAGE_PIXELS);
      expect(set.labels.length).toBe(set.count);
    }
    console.log(`assets/mnist-digits.bin: ${bytes.length} bytes (E ${digits.evaluation.count}, V ${digits.pool.count}, S ${digits.seed.count})`);
  });

  it('holds E 200 a class, V the rest of each class, S 50 a class, each class-major', () => {
    expect(perClass(digits.evaluation)).toEqual(PER_CLASS.map(() => EVALUATION_PER_CLASS));
    expect(perClass(digits.pool)).toEqual(PER_CLASS.map((n) => n - EVALUATION_PER_CLASS));
    expect(perClass(digits.seed)).toEqual(PER_CLASS.map(() => SEED_PER_CLASS));
    expect(digits.evaluation.count + digits.pool.count).toBe(10_000);
    for (const set of [digits.evaluation, digits.pool, digits.seed]) {
      expect(set.labels.every((l, i) => i === 0 || l >= set.labels[i - 1]), 'class-major').toBe(true);
    }
  });

  it('has grayscale pixels 0..255, not binary', () => {
    const values = new Set(digits.pool.pixels);
    expect(values.size).toBeGreaterThan(200);
    expect(values.has(0) && values.has(255)).toBe(true);
  });

  it('S is the first 50 of each class\'s block of V (pixels compared)', () => {
    let poolStart = 0;
    for (let c = 0; c < CLASSES; c++) {
      for (let k = 0; k < SEED_PER_CLASS; k++) {
        expect(digits.seed.labels[c * SEED_PER_CLASS + k]).toBe(c);
        expect(Buffer.compare(image(digits.seed, c * SEED_PER_CLASS + k), image(digits.pool, poolStart + k)), `S class ${c} image ${k}`).toBe(0);
      }
      poolStart += PER_CLASS[c] - EVALUATION_PER_CLASS;
    }
  });

  it('E and V share no image (by content), and no image repeats within either', () => {
    const pool = new Set(Array.from({ length: digits.pool.count }, (_, i) => imageHash(digits.pool, i)));
    const evaluation = new Set(Array.from({ length: digits.evaluation.count }, (_, i) => imageHash(digits.evaluation, i)));
    expect(pool.size).toBe(digits.pool.count);
    expect(evaluation.size).toBe(digits.evaluation.count);
    expect([...evaluation].filter((h) => pool.has(h))).toEqual([]);
  });

  it('is rebuilt byte for byte from the `mnist` package by the split the script uses', () => {
    const source = readMnistPackage();
    expect(source.map((p) => p.length / IMAGE_PIXELS)).toEqual(PER_CLASS);
    const rebuilt = encodeDigitsPayload(splitDigits(source, MNIST_SPLIT_SEED));
    const shipped = gunzipSync(bytes.subarray(ASSET_HEADER_BYTES));
    expect(rebuilt.length).toBe(shipped.length);
    expect(Buffer.compare(Buffer.from(rebuilt), shipped)).toBe(0);
    // And every image of E and V is one of the package's, under its label.
    const bySource = new Map<string, number>();
    source.forEach((pixels, c) => {
      for (let i = 0; i < pixels.length / IMAGE_PIXELS; i++) bySource.set(createHash('sha256').update(pixels.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS)).digest('hex'), c);
    });
    for (const set of [digits.evaluation, digits.pool]) {
      for (let i = 0; i < set.count; i++) expect(bySource.get(imageHash(set, i))).toBe(set.labels[i]);
    }
    // Another seed gives another split.
    expect(Buffer.compare(Buffer.from(encodeDigitsPayload(splitDigits(source, 'another seed'))), shipped)).not.toBe(0);
  });

  it('refuses a corrupted byte, naming the asset', async () => {
    const corrupt = (at: number) => {
      const copy = bytes.slice();
      copy[at] ^= 0x01;
      return parseDigits(copy);
    };
    // In the stored digest, in the compressed body (gzip's CRC or the digest catches it), in the magic.
    await expect(corrupt(30)).rejects.toThrow(/assets\/mnist-digits\.bin: SHA-256 of the payload/);
    await expect(corrupt(ASSET_HEADER_BYTES + 100_000)).rejects.toThrow(/^assets\/mnist-digits\.bin: .*corrupt/);
    await expect(corrupt(bytes.length - 3)).rejects.toThrow(/^assets\/mnist-digits\.bin: .*corrupt/);
    await expect(corrupt(0)).rejects.toThrow(/^assets\/mnist-digits\.bin: not a SLDIGITS file/);
    await expect(parseDigits(bytes.subarray(0, 1000))).rejects.toThrow(/^assets\/mnist-digits\.bin: /);
  });
});
