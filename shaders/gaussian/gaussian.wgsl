// One generation of Gaussian refitting (docs/science.md §5) for every replicate of every sweep cell,
// fused: draw M samples from the replicate's current fit, accumulate their sum and scatter
// (samples never reach memory), refit mean and full covariance, and write the metric columns.
// One thread per replicate: thread = cell·R + r, cell = ⌊thread / R⌋, r = thread mod R.
//
// The standardised chain (derivation in src/models/gaussian/twin.ts and src/models/gaussian/theory.ts): the
// state is δ = (μ̂ − μ)/σ and the Cholesky factor L of Σ̂/σ²; samples are x = δ + L z with
// z ~ N(0, I), and the refit is δ ← δ + L z̄, L ← L·chol(W/k), W = Σ (z − z̄)(z − z̄)ᵀ, k the
// cell's divisor (M for the MLE, M − 1 unbiased). Generation 0 starts from δ = 0, L = I.
//
// Random words (the twin uses the same): sample i, coordinate j is normal n = i·D + j, component
// n mod 4 of the words at (r, t, STREAM_INPUTS, ⌊n/4⌋). Four consecutive samples i = 4g … 4g + 3
// take exactly the D addresses g·D … g·D + D − 1.
//
// A dispatch covers samples [sample_begin, sample_end) of generation t: llvmpipe silently ends an
// invocation's loops after 65535 iterations in total, so the host splits M into blocks that stay
// below the measured limit (samplesPerBlock in src/models/gaussian/gpu.ts); the sums persist in the
// state between blocks, and the block that reaches a cell's M refits it.
// Host: src/models/gaussian/gpu.ts. Twin: src/models/gaussian/twin.ts. Includes shaders/cholesky.wgsl and shaders/gram.wgsl.
// Prepended consts: D, Q = ⌈D/4⌉, P = D(D+1)/2, PV = ⌈P/4⌉, COLUMNS and METRIC_* (GaussianMetric in
// src/models/gaussian/twin.ts).

override WORKGROUP_SIZE: u32 = 64u;
// A fitted variance (over σ²) at or below this, or a failed factorisation, collapses the replicate.
override COLLAPSE_VARIANCE: f32;
// The log variance written for a collapsed replicate: below every live one.
override COLLAPSED_LOG_VARIANCE: f32;

// The scatter Σ zzᵀ and the sum Σ z are gram.wgsl's XᵀWX and XᵀWy with every target y = 1: 4Q
// rows of Q vec4s (row i, columns 4b … 4b + 3 at i·Q + b; the lower blocks are used) and Q vec4s.
// State per replicate, in vec4s: (collapsed, 0, 0, 0) | δ (Q) | L packed row-major (PV) | Σz (Q) | Σzzᵀ.
const STATE_DELTA: u32 = 1u;
const STATE_FACTOR: u32 = 1u + Q;
const STATE_SUM: u32 = 1u + Q + PV;
const STATE_SCATTER: u32 = 1u + 2u * Q + PV;
const STATE_STRIDE: u32 = 1u + 2u * Q + PV + GRAM_VEC4S;

struct Params {
  key: vec2u,
  generation: u32,
  // Global thread (cell·R + r) of the chunk's first row, and the chunk's rows.
  first_thread: u32,
  threads: u32,
  replicates: u32,
  sample_begin: u32,
  sample_end: u32,
  row_pitch: u32,
  // Replicate r of a cell draws the words of replicate replicate_base + r: a shard's first
  // replicate (src/core/engine/shard.ts), 0 in a whole run.
  replicate_base: u32,
}

struct Cell {
  samples: u32,  // M
  divisor: f32,  // k
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> cells: array<Cell>;
@group(0) @binding(2) var<storage, read_write> state: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> metrics: array<f32>;
// Each row's log variance, read back for the median.
@group(0) @binding(4) var<storage, read_write> log_variance: array<f32>;

fn collapse(base: u32, row: u32) {
  state[base] = vec4f(1.0, 0.0, 0.0, 0.0);
  for (var c = 0u; c < COLUMNS; c++) { metrics[row * COLUMNS + c] = 0.0; }
  log_variance[row] = COLLAPSED_LOG_VARIANCE;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn step(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.x + gid.y * params.row_pitch;
  if (row >= params.threads) { return; }
  let thread = params.first_thread + row;
  let cell = cells[thread / params.replicates];
  let replicate = params.replicate_base + thread % params.replicates;
  let begin = params.sample_begin;
  let end = min(params.sample_end, cell.samples);
  if (begin >= end) { return; }  // this cell's generation was refitted in an earlier block
  let refit = end == cell.samples;
  let from_truth = params.generation == 0u;
  let base = row * STATE_STRIDE;
  if (!from_truth && state[base].x != 0.0) {
    if (refit) { collapse(base, row); }
    return;
  }

  // Function-scope arrays start at zero.
  var sum: array<vec4f, Q>;
  var scatter: array<vec4f, GRAM_VEC4S>;
  if (begin != 0u) {
    for (var q = 0u; q < Q; q++) { sum[q] = state[base + STATE_SUM + q]; }
    for (var v = 0u; v < GRAM_VEC4S; v++) { scatter[v] = state[base + STATE_SCATTER + v]; }
  }

  for (var i = begin; i < end; i += 4u) {
    var normals: array<vec4f, D>;
    for (var a = 0u; a < D; a++) { // unroll
      normals[a] = normals4(random_words(params.key, replicate, params.generation, STREAM_INPUTS, (i >> 2u) * D + a));
    }
    // z[s·Q + q]: coordinates 4q … 4q + 3 of sample i + s, i.e. normals n = (s·D + 4q) + 0…3:
    // address ⌊n/4⌋ shifted by n mod 4 into the next one, as one whole-vector shuffle rather than
    // per-lane indexing (twice as slow on SwiftShader, which does not unroll). Lanes past D are
    // zero. Every element is assigned (some backends hoist loop-local arrays out of the loop).
    var z: array<vec4f, BATCH_ROWS>;
    for (var s = 0u; s < 4u; s++) { // unroll
      for (var q = 0u; q < Q; q++) { // unroll
        let first = s * D + 4u * q;
        let lo = normals[first >> 2u];
        let hi = normals[min((first >> 2u) + 1u, D - 1u)];
        var v: vec4f;
        switch (first & 3u) {
          case 0u: { v = lo; }
          case 1u: { v = vec4f(lo.yzw, hi.x); }
          case 2u: { v = vec4f(lo.zw, hi.xy); }
          default: { v = vec4f(lo.w, hi.xyz); }
        }
        let lanes = vec4u(4u * q) + vec4u(0u, 1u, 2u, 3u);
        z[s * Q + q] = select(vec4f(0.0), v, lanes < vec4u(D));
      }
    }
    // Samples past `end` (the cell's last group) enter with weight 0.
    let present = select(vec4f(0.0), vec4f(1.0), vec4u(i) + vec4u(0u, 1u, 2u, 3u) < vec4u(end));
    gram_add(&scatter, &sum, &z, array(present), array(vec4f(1.0)));
  }

  if (!refit) {
    for (var q = 0u; q < Q; q++) { state[base + STATE_SUM + q] = sum[q]; }
    for (var v = 0u; v < GRAM_VEC4S; v++) { state[base + STATE_SCATTER + v] = scatter[v]; }
    return;
  }

  // W/k, then its factor C (the zero right-hand side only makes the library's solve a no-op).
  let n = f32(cell.samples);
  var mean: array<f32, D>;
  var w_factor: array<f32, P>;
  var zero: array<f32, D>;
  for (var i = 0u; i < D; i++) { mean[i] = sum[i >> 2u][i & 3u] / n; }
  for (var i = 0u; i < D; i++) { // unroll
    for (var j = 0u; j <= i; j++) {
      w_factor[packed_index(i, j)] = (scatter[i * Q + (j >> 2u)][j & 3u] - n * mean[i] * mean[j]) / cell.divisor;
    }
  }
  let factored = cholesky_solve(&w_factor, &zero, 0.0);

  var delta: array<f32, D>;
  var l: array<f32, P>;
  if (from_truth) {
    for (var i = 0u; i < D; i++) { l[packed_index(i, i)] = 1.0; }
  } else {
    for (var i = 0u; i < D; i++) { delta[i] = state[base + STATE_DELTA + (i >> 2u)][i & 3u]; }
    for (var p = 0u; p < P; p++) { l[p] = state[base + STATE_FACTOR + (p >> 2u)][p & 3u]; }
  }
  var err2 = 0.0;
  for (var i = 0u; i < D; i++) { // unroll
    for (var k = 0u; k <= i; k++) { delta[i] += l[packed_index(i, k)] * mean[k]; }
    err2 += delta[i] * delta[i];
  }
  if (!factored) {
    collapse(base, row);
    return;
  }
  // L ← L·C, both lower triangular: entry (i, j) needs L's row i from column j on only, so
  // each row is overwritten in place from its first column.
  var variance = 0.0;
  for (var i = 0u; i < D; i++) { // unroll
    for (var j = 0u; j <= i; j++) {
      var s = 0.0;
      for (var k = j; k <= i; k++) { s += l[packed_index(i, k)] * w_factor[packed_index(k, j)]; }
      l[packed_index(i, j)] = s;
      variance += s * s;
    }
  }
  variance /= f32(D);
  if (!(variance > COLLAPSE_VARIANCE)) {
    collapse(base, row);
    return;
  }

  state[base] = vec4f(0.0);
  for (var q = 0u; q < Q; q++) { // unroll
    var v = vec4f(0.0);
    for (var e = 0u; e < 4u; e++) { if (4u * q + e < D) { v[e] = delta[4u * q + e]; } }
    state[base + STATE_DELTA + q] = v;
  }
  for (var w = 0u; w < PV; w++) {
    var v = vec4f(0.0);
    for (var e = 0u; e < 4u; e++) { if (4u * w + e < P) { v[e] = l[4u * w + e]; } }
    state[base + STATE_FACTOR + w] = v;
  }
  let log_v = log(variance);
  let out = row * COLUMNS;
  metrics[out + METRIC_VALID] = 1.0;
  metrics[out + METRIC_ERR2] = err2;
  metrics[out + METRIC_VARIANCE] = variance;
  metrics[out + METRIC_LOG_VARIANCE] = log_v;
  log_variance[row] = log_v;
}
