// Known-answer vectors of Random123 (kat_vectors) for both generators, on the twin.
import { describe, expect, it } from 'vitest';
import { philox4x32_10, threefry4x32_20, randomWords, uniformOpen01, normals4 } from '../src/core/cpu/random.js';
import { KNOWN_ANSWERS } from './helpers/known-answers.js';
import { keyFromSeed } from '../src/core/random/address.js';

describe('CPU twin: Random123 known-answer vectors', () => {
  for (const { generator, counter, key, expected } of KNOWN_ANSWERS) {
    it(`${generator} ctr=${counter.map((w) => w.toString(16)).join(' ')}`, () => {
      const words = generator === 'philox4x32-10' ? philox4x32_10(counter, key) : threefry4x32_20(counter, key);
      expect(words).toEqual(expected);
    });
  }
});

describe('twin transforms', () => {
  it('uniforms lie strictly inside (0, 1) at both ends of the word range', () => {
    expect(uniformOpen01(0)).toBe(2 ** -24);
    expect(uniformOpen01(0xffffffff)).toBe(1 - 2 ** -24);
  });
  it('normals are finite for extreme words', () => {
    for (const w of [[0, 0, 0xffffffff, 0xffffffff], [0xffffffff, 0, 0, 0xffffffff]]) {
      for (const z of normals4(w)) expect(Number.isFinite(z)).toBe(true);
    }
  });
  it('the seed names the key: numbers and their decimal strings agree, others differ', () => {
    expect(keyFromSeed(42)).toEqual(keyFromSeed('42'));
    expect(keyFromSeed(42)).not.toEqual(keyFromSeed(43));
    expect(() => keyFromSeed(Number.NaN)).toThrow(/seed/);
  });
  it('addresses differing in any counter word give different words', () => {
    const key = keyFromSeed(1);
    const base = randomWords(key, 3, 4, 5, 6);
    for (const other of [randomWords(key, 4, 4, 5, 6), randomWords(key, 3, 5, 5, 6), randomWords(key, 3, 4, 6, 6), randomWords(key, 3, 4, 5, 7)]) {
      expect(other).not.toEqual(base);
    }
  });
});
