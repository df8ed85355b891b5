// Batched ridge solves: thread s solves (A_s + λI) θ_s = b_s by Cholesky (cholesky.wgsl).
// The fused kernels call the same function; this entry point serves callers that hold
// Gram matrices themselves. Host: src/core/gpu/solve.ts. Twin: src/core/cpu/cholesky.ts.
// Prepended consts: D, P = D(D+1)/2.

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  systems: u32,
  row_pitch: u32,
  ridge_lambda: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Per system: A's packed lower triangle (P) then b (D).
@group(0) @binding(1) var<storage, read> systems: array<f32>;
// Per system: θ (D) then 1 if solved, 0 if A + λI is not positive definite (θ left 0).
@group(0) @binding(2) var<storage, read_write> solutions: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn solve(@builtin(global_invocation_id) gid: vec3u) {
  let s = gid.x + gid.y * params.row_pitch;
  if (s >= params.systems) { return; }
  let input = s * (P + D);
  let output = s * (D + 1u);
  var a: array<f32, P>;
  var b: array<f32, D>;
  for (var p = 0u; p < P; p++) { a[p] = systems[input + p]; }
  for (var j = 0u; j < D; j++) { b[j] = systems[input + P + j]; }
  let solved = cholesky_solve(&a, &b, params.ridge_lambda);
  for (var j = 0u; j < D; j++) { solutions[output + j] = select(0.0, b[j], solved); }
  solutions[output + D] = select(0.0, 1.0, solved);
}
