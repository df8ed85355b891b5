// One generation of selection-then-training on a two-class Gaussian mixture (docs/science.md §3,
// Feng et al. 2024) for every replicate of every sweep cell, fused: draw (x, y), label it by the
// generator, select, and accumulate XᵀWX and XᵀWŷ over the kept pairs — samples never reach
// memory — then ridge-solve for the least-squares classifier w and write the metric columns.
// Host: src/models/gmm-selection/gpu.ts. Twin: src/models/gmm-selection/twin.ts. Includes shaders/cholesky.wgsl and shaders/gram.wgsl.
// Prepended consts: D, Q = ceil(D/4), P = D(D+1)/2, COLUMNS and COLUMN_* (src/models/gmm-selection/twin.ts).
//
// Threads: thread g of the run is replicate r = g mod R of cell ⌊g / R⌋; it draws the words of
// replicate r, so every cell sees the same samples (common random numbers).
//
// Random words of sample i, replicate r, generation t (fresh data every generation):
//   z = N(0, I_D): normals4 of address (r, t, STREAM_INPUTS, i·Q + q) gives z_{4q..4q+3},
//       the components past D discarded; x = z + y·meanNorm·e₁ (μ = meanNorm·e₁: the noise is
//       isotropic, so μ's direction changes nothing but which coordinate carries it).
//   One address (r, t, STREAM_LABEL_NOISE, i) gives three uniforms, uniform_open01 of its words:
//     .x  the true class: y = +1 if < 1/2, else −1;
//     .y  generation 0's label flip: ŷ = −y if < flipRate (generation t ≥ 1: ŷ = sign(w_{t−1}ᵀx));
//     .z  the rates selector's coin: keep if < keepCorrect (ŷ = y) or keepWrong (ŷ ≠ y).
//   .w is unused. A linear verifier w_v = cos θ·e₁ + sin θ·e₂ (e₁ alone in d = 1) draws nothing:
//   it keeps (x, ŷ) iff ŷ·w_vᵀx > 0. The uniforms are exact in f32 and compared with the f32 thresholds, which the
//   twin uses rounded to f32 too, so both backends take the same coin decisions bit for bit.
//
// `accumulate` covers the samples [sample_begin, sample_end) of a generation: llvmpipe silently
// ends an invocation's loops after 65535 iterations in all, so the host splits long sample loops
// into blocks below the measured limit (src/core/gpu/device.ts), the sums carried in `state`.

override WORKGROUP_SIZE: u32 = 64u;
// The selector: rates (also "none", as keepCorrect = keepWrong = 1) or a linear verifier.
override SELECTOR: u32 = 0u;
const SELECTOR_RATES: u32 = 0u;
const SELECTOR_LINEAR: u32 = 1u;

// State per thread, in vec4s: w (Q) | (failed, kept this generation, 0, 0) | XᵀWŷ (Q) | XᵀWX (GRAM_VEC4S).
const STATE_FLAGS: u32 = Q;
const STATE_RHS: u32 = Q + 1u;
const STATE_GRAM: u32 = 2u * Q + 1u;
const STATE_STRIDE: u32 = 2u * Q + 1u + GRAM_VEC4S;

struct Params {
  key: vec2u,
  generation: u32,
  // This chunk's first thread is replicate first_replicate of cell first_cell (first_replicate is
  // 0 when chunks hold whole cells), so no index exceeds a u32 however many cells there are.
  first_cell: u32,
  first_replicate: u32,
  rows: u32,
  replicates_per_cell: u32,
  // This dispatch's sample block (each cell clamps it to its own n).
  sample_begin: u32,
  sample_end: u32,
  row_pitch: u32,
  // Replicate r of a cell draws the words of replicate replicate_base + r: a shard's first
  // replicate (src/core/engine/shard.ts), 0 in a whole run.
  replicate_base: u32,
}

// A sweep cell's parameters; the selector's rates are 1 and 1 for "none".
struct Cell {
  mean_norm: f32,
  flip_rate: f32,
  keep_correct: f32,
  keep_wrong: f32,
  verifier: vec2f,  // (cos θ, sin θ): w_v in the (e₁, e₂) plane
  ridge_lambda: f32,
  samples: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> cells: array<Cell>;
@group(0) @binding(2) var<storage, read_write> state: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> metrics: array<f32>;

// exp(a) for a ≤ 0 given exactly: 2ⁿ·exp(r) with r = a − n·ln 2 reduced in two parts (Cody &
// Waite), keeping f32's relative precision where exp of a large |a| loses about |a|·2⁻²³.
fn exp_exact_argument(a: f32) -> f32 {
  let n = round(a * 1.4426950408889634);
  let r = (a - n * 0.693359375) + n * 2.12194440e-4;
  return ldexp(exp(r), i32(n));
}

// Φ(x) = ½·erfc(−x/√2), erfc by the Chebyshev fit of Numerical Recipes §6.2 (erfcc):
// erfc(z) = t·exp(−z² − 1.26551223 + t·poly(t)), t = 1/(1 + z/2), relative error < 1.2e-7. In
// f32, exp(−z²) = exp(−x²/2) is taken as exp(−hi²/2)·exp(−lo·(|x| + hi)/2) with hi = |x| to 12
// bits (hi² exact): measured relative error < 8e-7 for |x| ≤ 5 on llvmpipe and SwiftShader, and
// < 1.2e-6 for 5 < |x| ≤ 7. The twin evaluates the same formula in float64 (normalCdf in
// src/models/gmm-selection/theory.ts).
fn normal_cdf(x: f32) -> f32 {
  let a = abs(x);
  let t = 1.0 / (1.0 + 0.35355339059327373 * a);
  let hi = floor(a * 4096.0) / 4096.0;
  let lo = a - hi;
  let tail = 0.5 * t * exp_exact_argument(-0.5 * hi * hi) * exp(-0.5 * lo * (a + hi) - 1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
    t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return select(tail, 1.0 - tail, x > 0.0);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn accumulate(@builtin(global_invocation_id) gid: vec3u) {
  let local = gid.x + gid.y * params.row_pitch;
  if (local >= params.rows) { return; }
  let base = local * STATE_STRIDE;
  var flags = state[base + STATE_FLAGS];
  if (flags.x != 0.0) { return; }  // failed in an earlier generation: excluded
  let index = params.first_replicate + local;
  let replicate = params.replicate_base + index % params.replicates_per_cell;
  let cell = cells[params.first_cell + index / params.replicates_per_cell];
  let sample_end = min(params.sample_end, cell.samples);

  var w: array<vec4f, Q>;
  var rhs: array<vec4f, Q>;
  var gram: array<vec4f, GRAM_VEC4S>;
  for (var q = 0u; q < Q; q++) { w[q] = state[base + q]; }
  if (params.sample_begin == 0u) {
    flags.y = 0.0;
    for (var q = 0u; q < Q; q++) { rhs[q] = vec4f(0.0); }
    for (var k = 0u; k < GRAM_VEC4S; k++) { gram[k] = vec4f(0.0); }
  } else {
    for (var q = 0u; q < Q; q++) { rhs[q] = state[base + STATE_RHS + q]; }
    for (var k = 0u; k < GRAM_VEC4S; k++) { gram[k] = state[base + STATE_GRAM + k]; }
  }
  let teacher = params.generation > 0u;

  // Samples go four at a time so the Gram accumulators are loaded and stored once per four;
  // selection is a weight (1 kept, 0 not) rather than a branch, keeping SIMD lanes in step.
  for (var group = params.sample_begin; group < sample_end; group += 4u) {
    // Every entry is assigned for all four samples (a past-the-end sample gets weight 0): some
    // backends hoist loop-local arrays out of the loop instead of re-initialising them.
    var xs: array<vec4f, BATCH_ROWS>;  // sample s, block q at xs[s * Q + q]
    var labels = vec4f(0.0);     // ŷ per sample
    var weights = vec4f(0.0);    // 1 kept, 0 not
    for (var s = 0u; s < 4u; s++) { // unroll
      let i = group + s;
      let coins = random_words(params.key, replicate, params.generation, STREAM_LABEL_NOISE, i);
      let y = select(-1.0, 1.0, uniform_open01(coins.x) < 0.5);
      var score = 0.0;
      for (var q = 0u; q < Q; q++) { // unroll
        let z = normals4(random_words(params.key, replicate, params.generation, STREAM_INPUTS, i * Q + q));
        var x = select(vec4f(0.0), z, vec4u(4u * q) + vec4u(0u, 1u, 2u, 3u) < vec4u(D));
        if (q == 0u) { x.x += y * cell.mean_norm; }
        xs[s * Q + q] = x;
        score += dot(w[q], x);
      }
      var label = select(y, -y, uniform_open01(coins.y) < cell.flip_rate);
      if (teacher) { label = select(-1.0, 1.0, score > 0.0); }
      var keep = i < sample_end;
      if (SELECTOR == SELECTOR_LINEAR) {
        keep = keep && label * dot(cell.verifier, xs[s * Q].xy) > 0.0;
      } else {
        keep = keep && uniform_open01(coins.z) < select(cell.keep_wrong, cell.keep_correct, label == y);
      }
      weights[s] = select(0.0, 1.0, keep);
      labels[s] = label;
    }
    flags.y += dot(weights, vec4f(1.0));
    gram_add(&gram, &rhs, &xs, array(weights), array(labels));
  }

  state[base + STATE_FLAGS] = flags;
  for (var q = 0u; q < Q; q++) { state[base + STATE_RHS + q] = rhs[q]; }
  for (var k = 0u; k < GRAM_VEC4S; k++) { state[base + STATE_GRAM + k] = gram[k]; }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn finish(@builtin(global_invocation_id) gid: vec3u) {
  let local = gid.x + gid.y * params.row_pitch;
  if (local >= params.rows) { return; }
  let base = local * STATE_STRIDE;
  let out = local * COLUMNS;
  for (var c = 0u; c < COLUMNS; c++) { metrics[out + c] = 0.0; }
  let flags = state[base + STATE_FLAGS];
  if (flags.x != 0.0) { return; }
  let cell = cells[params.first_cell + (params.first_replicate + local) / params.replicates_per_cell];
  metrics[out + COLUMN_ALIVE] = 1.0;
  metrics[out + COLUMN_KEPT_FRACTION] = flags.y / f32(cell.samples);

  var gram: array<vec4f, GRAM_VEC4S>;
  var rhs: array<vec4f, Q>;
  var w: array<vec4f, Q>;
  for (var k = 0u; k < GRAM_VEC4S; k++) { gram[k] = state[base + STATE_GRAM + k]; }
  for (var q = 0u; q < Q; q++) { rhs[q] = state[base + STATE_RHS + q]; }
  // Without ridge, fewer kept pairs than dimensions cannot determine w; w = 0 has no direction.
  var solved = !(cell.ridge_lambda == 0.0 && flags.y < f32(D));
  if (solved) { solved = gram_solve(&gram, &rhs, cell.ridge_lambda, &w); }
  var norm2 = 0.0;
  for (var q = 0u; q < Q; q++) { norm2 += dot(w[q], w[q]); }
  if (!solved || !(norm2 > 0.0)) {
    state[base + STATE_FLAGS].x = 1.0;
    return;
  }
  for (var q = 0u; q < Q; q++) { state[base + q] = w[q]; }
  metrics[out + COLUMN_VALID] = 1.0;
  metrics[out + COLUMN_ACCURACY] = normal_cdf(cell.mean_norm * w[0].x / sqrt(norm2));
}
