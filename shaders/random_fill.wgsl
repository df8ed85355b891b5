// Entry points that expose the generator directly: known-answer vectors, bulk words,
// uniforms and normals for the statistical tests, and a register-only throughput kernel.
// Host: src/core/gpu/random.ts. Twin: src/core/cpu/random.ts. Library: shaders/random.wgsl.

// What `fill` writes per address: 0 = raw words, 1 = uniforms, 2 = normals (f32 bits).
override OUTPUT_KIND: u32 = 0u;
override WORKGROUP_SIZE: u32 = 64u;
// Addresses each thread of `sum_normals` draws, in registers only.
override BLOCKS_PER_THREAD: u32 = 256u;

struct FillParams {
  key: vec2u,
  replicate: u32,
  generation: u32,
  stream: u32,
  first_index: u32,
  count: u32,
  row_pitch: u32,  // threads per dispatch row, for dispatches wider than one dimension allows
}

@group(0) @binding(0) var<uniform> params: FillParams;
@group(0) @binding(1) var<storage, read_write> output: array<vec4u>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn fill(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * params.row_pitch;
  if (i >= params.count) { return; }
  let words = random_words(params.key, params.replicate, params.generation, params.stream, params.first_index + i);
  switch OUTPUT_KIND {
    case 1u: {
      output[i] = bitcast<vec4u>(vec4f(uniform_open01(words.x), uniform_open01(words.y),
                                       uniform_open01(words.z), uniform_open01(words.w)));
    }
    case 2u: { output[i] = bitcast<vec4u>(normals4(words)); }
    default: { output[i] = words; }
  }
}

// Each thread sums BLOCKS_PER_THREAD × 4 normals and writes only the sum, so the
// measured rate is the generator's, not memory's.
@compute @workgroup_size(WORKGROUP_SIZE)
fn sum_normals(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * params.row_pitch;
  if (i >= params.count) { return; }
  var total = vec4f(0.0);
  for (var b = 0u; b < BLOCKS_PER_THREAD; b++) {
    total += normals4(random_words(params.key, params.first_index + i, params.generation, params.stream, b));
  }
  output[i] = bitcast<vec4u>(total);
}

struct KatCase { counter: vec4u, key: vec4u }
@group(0) @binding(2) var<storage, read> kat_cases: array<KatCase>;

// Raw generator output for known-answer vectors (Philox uses key.xy; Threefry all four).
@compute @workgroup_size(WORKGROUP_SIZE)
fn known_answers(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= arrayLength(&kat_cases)) { return; }
  let c = kat_cases[i];
#if PHILOX
  output[i] = philox4x32_10(c.counter, c.key.xy);
#else
  output[i] = threefry4x32_20(c.counter, c.key);
#endif
}
