// Gram-phase microbenchmark for bench/peak.ts (not part of the engine): the engine's own
// gram_add (shaders/gram.wgsl, prepended with cholesky.wgsl and the consts D, Q, P, GRAM_QUADS)
// on inputs kept in registers, so the rate measured is the Gram phase's alone — no random words,
// no verifier, no solve. GROUPS calls per thread, each adding 4·GRAM_QUADS samples; the inputs
// change every call (one vec4 FMA per input block, not counted) so nothing is loop-invariant.

override WORKGROUP_SIZE: u32 = 64u;
override GROUPS: u32 = 256u;

struct Params {
  scale: f32,
  shift: f32,
  row_pitch: u32,
  count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> data: array<vec4f>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn gram_rate(@builtin(global_invocation_id) gid: vec3u) {
  let thread = gid.x + gid.y * params.row_pitch;
  if (thread >= params.count) { return; }
  var gram: array<vec4f, GRAM_VEC4S>;
  var rhs: array<vec4f, Q>;
  var xs: array<vec4f, BATCH_ROWS>;
  for (var k = 0u; k < GRAM_VEC4S; k++) { gram[k] = vec4f(0.0); }
  for (var q = 0u; q < Q; q++) { rhs[q] = vec4f(0.0); }
  for (var k = 0u; k < BATCH_ROWS; k++) { xs[k] = vec4f(f32(thread & 15u), f32(k), 0.5, 0.25); }
  // Weights and labels from the params, so the compiler cannot fold any of the four samples away.
  var weights: array<vec4f, GRAM_QUADS>;
  var ys: array<vec4f, GRAM_QUADS>;
  for (var h = 0u; h < GRAM_QUADS; h++) { // unroll
    weights[h] = vec4f(params.scale);
    ys[h] = vec4f(params.shift);
  }
  for (var g = 0u; g < GROUPS; g++) {
    for (var k = 0u; k < BATCH_ROWS; k++) { xs[k] = xs[k] * params.scale + params.shift; }
    gram_add(&gram, &rhs, &xs, weights, ys);
  }
  var total = vec4f(0.0);
  for (var k = 0u; k < GRAM_VEC4S; k++) { total += gram[k]; }
  for (var q = 0u; q < Q; q++) { total += rhs[q]; }
  data[thread] = total;
}
