// Peak microbenchmarks for bench/peak.ts (not part of the engine): the adapter's f32 FMA rate
// and its read-modify-write bandwidth. Loaded as `?raw` and compiled directly, so it needs
// none of the engine's prepended consts.
//
// fma_peak: CHAINS independent vec4 FMA chains per thread, kept in registers for ITERATIONS
// steps, written once (so the compiler cannot drop them). FMAs per thread = ITERATIONS·CHAINS·4.
// ITERATIONS stays far below llvmpipe's 65 535-iteration loop limit.
// rmw: data[i] = data[i]·a + b over vec4s: 16 bytes read and 16 written per thread.

override WORKGROUP_SIZE: u32 = 64u;
override ITERATIONS: u32 = 2048u;
override CHAINS: u32 = 8u;
// 1: the fma() builtin; 0: a·m + c, which the compiler may fuse or not.
override USE_FMA_BUILTIN: bool = true;

struct Params {
  m: f32,
  c: f32,
  row_pitch: u32,
  count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> data: array<vec4f>;

fn step(a: vec4f, m: vec4f, c: vec4f) -> vec4f {
  if (USE_FMA_BUILTIN) { return fma(a, m, c); }
  return a * m + c;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn fma_peak(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * params.row_pitch;
  let seed = f32(i & 1023u) * 1e-3;
  let m = vec4f(params.m);
  let c = vec4f(params.c);
  var a0 = vec4f(seed, seed + 0.1, seed + 0.2, seed + 0.3);
  var a1 = a0 + 1.0;
  var a2 = a0 + 2.0;
  var a3 = a0 + 3.0;
  var a4 = a0 + 4.0;
  var a5 = a0 + 5.0;
  var a6 = a0 + 6.0;
  var a7 = a0 + 7.0;
  // CHAINS (1–8, an override, so the unused chains compile away) independent chains: a SIMD CPU
  // needs few enough to stay in its vector registers (a vec4 is 4 of them per lane group), a GPU
  // enough to hide latency; the host takes the best.
  for (var k = 0u; k < ITERATIONS; k++) {
    a0 = step(a0, m, c);
    if (CHAINS > 1u) { a1 = step(a1, m, c); }
    if (CHAINS > 2u) { a2 = step(a2, m, c); }
    if (CHAINS > 3u) { a3 = step(a3, m, c); }
    if (CHAINS > 4u) { a4 = step(a4, m, c); }
    if (CHAINS > 5u) { a5 = step(a5, m, c); }
    if (CHAINS > 6u) { a6 = step(a6, m, c); }
    if (CHAINS > 7u) { a7 = step(a7, m, c); }
  }
  if (i < params.count) {
    data[i] = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn rmw(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * params.row_pitch;
  if (i >= params.count) { return; }
  data[i] = data[i] * params.m + vec4f(params.c);
}
