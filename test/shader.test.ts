// WGSL assembly: #if flags resolve through wgsl-preprocessor; undefined flags are errors.
import { describe, expect, it } from 'vitest';
import { kernelSource, preprocess } from '../src/gpu/shader.js';

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
    const philox = kernelSource({ kernel: 'device_check', generator: 'philox4x32-10' });
    const threefry = kernelSource({ kernel: 'device_check', generator: 'threefry4x32-20' });
    expect(philox).toMatch(/return philox4x32_10\(counter, key\);/);
    expect(philox).not.toMatch(/return threefry4x32_20\(counter/);
    expect(threefry).toMatch(/return threefry4x32_20\(counter, vec4u\(key, 0u, 0u\)\);/);
    expect(threefry).toMatch(/const STREAM_LABEL_NOISE: u32 = 1u;/);
  });
});
