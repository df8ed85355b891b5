// One generation of mean estimation from contaminated data (docs/science.md §7) for every replicate
// of every sweep cell: both estimators, ERM and the weighted one, on common random numbers.
// One thread per replicate: thread = cell·R + r, cell = ⌊thread / R⌋, r = thread mod R.
//
// The standardised chain (μ = 0, σ = 1; derivation in src/models/amin-erm/theory.ts, the same in
// float64 in src/models/amin-erm/twin.ts): generation t draws n samples, the last k of them (k = α·n,
// none at t = 0) synthetic around the estimator's own previous estimate, so each estimator's data
// mean is X = (k·μ̂_{t−1} + Σ z)/n, with Σ z the same for both. ERM: μ̂_t = (t·μ̂_{t−1} + X)/(t + 1).
// Weighted: μ̂_t = (w_{t−1}·μ̂_{t−1} + (1 − α)(X − α·μ̂_{t−1}))/w_t, w_t = 1 + t(1 − α)².
//
// Random words: sample i, coordinate j is normal m = i·D + j, component m mod 4 of the words at
// (r, t, STREAM_INPUTS, ⌊m/4⌋). A dispatch covers samples [sample_begin, sample_end) (a multiple of
// 4 apart, so blocks start on whole addresses): llvmpipe ends an invocation's loops after 65535
// iterations, so the host splits n into blocks (samplesPerBlock); Σ z persists in the state between
// blocks, and the block that reaches the cell's n updates the estimates.
// Host: src/models/amin-erm/gpu.ts. Prepended consts: D, Q = ⌈D/4⌉, COLUMNS and METRIC_* (AminErmMetric).

override WORKGROUP_SIZE: u32 = 64u;

// State per replicate, in vec4s: μ̂_ERM − μ (Q) | μ̂_weighted − μ (Q) | Σ z of the blocks so far (Q).
const STATE_ERM: u32 = 0u;
const STATE_WEIGHTED: u32 = Q;
const STATE_SUM: u32 = 2u * Q;
const STATE_STRIDE: u32 = 3u * Q;

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
  // Replicate r of a cell draws the words of replicate replicate_base + r (a shard's first replicate).
  replicate_base: u32,
}

struct Cell {
  samples: u32,    // n
  synthetic: u32,  // k = α·n
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> cells: array<Cell>;
@group(0) @binding(2) var<storage, read_write> state: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> metrics: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn step(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.x + gid.y * params.row_pitch;
  if (row >= params.threads) { return; }
  let thread = params.first_thread + row;
  let cell = cells[thread / params.replicates];
  let replicate = params.replicate_base + thread % params.replicates;
  let begin = params.sample_begin;
  let end = min(params.sample_end, cell.samples);
  if (begin >= end) { return; }  // this cell's generation was finished in an earlier block
  let base = row * STATE_STRIDE;

  // Function-scope arrays start at zero.
  var sum: array<f32, D>;
  if (begin != 0u) {
    for (var j = 0u; j < D; j++) { sum[j] = state[base + STATE_SUM + (j >> 2u)][j & 3u]; }
  }
  // Normals begin·D … end·D − 1; begin·D is a multiple of 4 and of D, so coordinate j starts at 0.
  let last = end * D;
  var j = 0u;
  for (var a = (begin * D) >> 2u; 4u * a < last; a++) {
    let z = normals4(random_words(params.key, replicate, params.generation, STREAM_INPUTS, a));
    for (var e = 0u; e < 4u; e++) {
      if (4u * a + e < last) { sum[j] += z[e]; }
      j += 1u;
      if (j == D) { j = 0u; }
    }
  }
  if (end != cell.samples) {
    for (var q = 0u; q < Q; q++) {
      var v = vec4f(0.0);
      for (var e = 0u; e < 4u; e++) { if (4u * q + e < D) { v[e] = sum[4u * q + e]; } }
      state[base + STATE_SUM + q] = v;
    }
    return;
  }

  let t = params.generation;
  let n = f32(cell.samples);
  let alpha = f32(cell.synthetic) / n;
  let k = select(f32(cell.synthetic), 0.0, t == 0u);
  let c = (1.0 - alpha) * (1.0 - alpha);
  let before = 1.0 + f32(max(t, 1u) - 1u) * c;
  let after = 1.0 + f32(t) * c;
  var erm: array<f32, D>;
  var weighted: array<f32, D>;
  var erm2 = 0.0;
  var weighted2 = 0.0;
  for (var i = 0u; i < D; i++) {
    // At t = 0 the previous state (another run's, or none) is ignored.
    let e = select(state[base + STATE_ERM + (i >> 2u)][i & 3u], 0.0, t == 0u);
    let w = select(state[base + STATE_WEIGHTED + (i >> 2u)][i & 3u], 0.0, t == 0u);
    let x_erm = (k * e + sum[i]) / n;
    let x_weighted = (k * w + sum[i]) / n;
    if (t == 0u) {
      erm[i] = x_erm;
      weighted[i] = x_weighted;
    } else {
      erm[i] = (f32(t) * e + x_erm) / f32(t + 1u);
      weighted[i] = (before * w + (1.0 - alpha) * (x_weighted - alpha * w)) / after;
    }
    erm2 += erm[i] * erm[i];
    weighted2 += weighted[i] * weighted[i];
  }
  for (var q = 0u; q < Q; q++) {
    var ve = vec4f(0.0);
    var vw = vec4f(0.0);
    for (var e = 0u; e < 4u; e++) {
      if (4u * q + e < D) {
        ve[e] = erm[4u * q + e];
        vw[e] = weighted[4u * q + e];
      }
    }
    state[base + STATE_ERM + q] = ve;
    state[base + STATE_WEIGHTED + q] = vw;
  }
  let out = row * COLUMNS;
  metrics[out + METRIC_ERM] = erm2;
  metrics[out + METRIC_WEIGHTED] = weighted2;
}
