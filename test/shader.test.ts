// WGSL assembly: #if flags resolve through wgsl-preprocessor; undefined flags are errors; loops
// marked `// unroll` expand into blocks with a constant index.
import { describe, expect, it } from 'vitest';
import { DEVICE_CHECK, MAX_UNROLLED_TRIPS, gramBatchConsts, kernelSource, preprocess, unrollLoops } from '../src/core/gpu/shader.js';
import { LINEAR_KERNEL } from '../src/models/linear/gpu.js';

describe('preprocess', () => {
  const source = 'a\n#if ONE\nb\n#elif TWO\nc\n#else\nd\n#endif\ne';
  it('keeps the branch whose flag is set', () => {
    expect(preprocess(source, { ONE: true, TWO: false }).replace(/\s+/g, '')).toBe('abe');
    expect(preprocess(source, { ONE: false, TWO: true }).replace(/\s+/g, '')).toBe('ace');
    expect(preprocess(source, { ONE: false, TWO: false }).replace(/\s+/g, '')).toBe('ade');
  });
  it('rejects a flag the caller did not define', () => {
    expect(() => preprocess(source, { ONE: true })).toThrow(/WGSL flag TWO is not defined/);
  });
  it('compiles the chosen generator into random_words and the stream table in front', () => {
    const philox = kernelSource({ kernel: DEVICE_CHECK, generator: 'philox4x32-10' });
    const threefry = kernelSource({ kernel: DEVICE_CHECK, generator: 'threefry4x32-20' });
    expect(philox).toMatch(/return philox4x32_10\(counter, key\);/);
    expect(philox).not.toMatch(/return threefry4x32_20\(counter/);
    expect(threefry).toMatch(/return threefry4x32_20\(counter, vec4u\(key, 0u, 0u\)\);/);
    expect(threefry).toMatch(/const STREAM_LABEL_NOISE: u32 = 1u;/);
  });
});

describe('unrollLoops', () => {
  const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
  it('expands a marked loop over a const into one block per index, nested loops too', () => {
    const source = 'for (var a = 0u; a < Q; a++) { // unroll\n  for (var b = 0u; b < 2u; b++) { // unroll\n    x[a * 2u + b] += 1.0;\n  }\n}\ny = 1;';
    expect(squash(unrollLoops(source, { Q: 2 }))).toBe(squash(
      '{ let a = 0u; { let b = 0u; x[a * 2u + b] += 1.0; } { let b = 1u; x[a * 2u + b] += 1.0; } } '
      + '{ let a = 1u; { let b = 0u; x[a * 2u + b] += 1.0; } { let b = 1u; x[a * 2u + b] += 1.0; } } y = 1;'));
  });
  it('leaves a loop whose bound is unknown or above the limit as a loop, and unmarked loops alone', () => {
    const marked = 'for (var a = 0u; a < Q; a++) { // unroll\n  x[a] = 0.0;\n}';
    expect(squash(unrollLoops(marked, { Q: MAX_UNROLLED_TRIPS + 1 }))).toBe('for (var a = 0u; a < Q; a++) { x[a] = 0.0; }');
    expect(squash(unrollLoops(marked, {}))).toBe('for (var a = 0u; a < Q; a++) { x[a] = 0.0; }');
    expect(squash(unrollLoops(marked.replace('// unroll', '// unroll 8'), { Q: MAX_UNROLLED_TRIPS + 1 }))).toMatch(/^\{ let a = 0u; x\[a\] = 0.0; \}/);
    const plain = 'for (var a = 0u; a < Q; a++) {\n  x[a] = 0.0;\n}';
    expect(unrollLoops(plain, { Q: 2 })).toBe(plain);
  });
  it('expands a triangular nest whole: inner loops may start or end at an expanded index', () => {
    const source = 'for (var j = 0u; j < D; j++) { // unroll 8\n  for (var i = j + 1u; i < D; i++) { // unroll 8\n    for (var k = 0u; k < j; k++) { // unroll 8\n      s(i, j, k);\n    }\n  }\n}';
    const calls = (text: string) => [...text.matchAll(/let (\w) = (\d)u;/g)].map((m) => m[1] + m[2]).join(' ');
    expect(calls(unrollLoops(source, { D: 3 }))).toBe('j0 i1 i2 j1 i2 k0 j2');
    expect(unrollLoops(source, { D: 3 })).not.toMatch(/for \(/);
    // Past the limit the outer loop stays, and the inner ones with it (their bounds are not known).
    expect(squash(unrollLoops(source, { D: 9 }))).toBe(squash(source.replace(/ *\/\/ unroll 8/g, '')));
  });
  it('the linear kernel is assembled with its sample and block loops expanded at d ≤ 16', () => {
    const source = kernelSource({ kernel: LINEAR_KERNEL, consts: { D: 16, Q: 4, P: 136, ...gramBatchConsts(2), COLUMNS: 24 } });
    expect(source).not.toMatch(/\{ *\/\/ unroll/);
    expect(source).toMatch(/let s = 7u;/);
    expect(source).toMatch(/let qb = 3u;/);
  });
});
