// One generation of curated retraining of a Gaussian (docs/science.md §9) for every replicate of every
// sweep cell. One thread per replicate: thread = cell·R + r, cell = ⌊thread / R⌋, r = thread mod R.
//
// The standardised chain (P* = N(0, I), c' and τ' standardised; the same in float64 in
// src/models/curation-gaussian/twin.ts): each replicate carries its model N(m, vI). Generation 0 is
// P* itself (m = 0, v = 1). Generation t ≥ 1 draws n samples: sample i < ρ_t (the cell's fresh count)
// is x = z, the normals of its candidate slot 0; every other sample is the curator's pick among K
// candidates x_j = m + √v·z_j, the argmax of r(x_j) + G_j, G_j = −ln(−ln U_j) (Gumbel-max: the softmax
// choice e^{r_j}/Σ e^{r_i}). The refit is the maximum-likelihood N(m', v'I), summed about the previous m.
//
// Random words: candidate j of sample i, coordinate l is normal (i·K + j)·D + l, component idx mod 4
// of the words at (r, t, STREAM_INPUTS, ⌊idx/4⌋); U_j is uniform i·K + j of stream STREAM_VERIFIER_COIN.
// A dispatch covers samples [sample_begin, sample_end): llvmpipe ends an invocation's loops after 65535
// iterations, so the host splits n into blocks (samplesPerBlock); the sums persist in the state between
// blocks, and the block that reaches the cell's n refits the model and writes the metrics.
// Host: src/models/curation-gaussian/gpu.ts. Prepended consts: D, Q = ⌈D/4⌉, COLUMNS and METRIC_*.

override WORKGROUP_SIZE: u32 = 64u;
// The least fitted variance (twin.ts VARIANCE_FLOOR): ln v stays finite in f32.
override VARIANCE_FLOOR: f32 = 1e-30;

// ln(2πe), for the entropy (D/2)·ln(2πe·v).
const LN_TWO_PI_E: f32 = 2.8378770664093453;

// State per replicate, in vec4s: m (Q) | (v, Σ‖x − m‖² of the blocks so far, 0, 0) | Σ(x − m) of the blocks so far (Q).
const STATE_MEAN: u32 = 0u;
const STATE_SCALARS: u32 = Q;
const STATE_SUM: u32 = Q + 1u;
const STATE_STRIDE: u32 = 2u * Q + 1u;

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
  // T + 1: the stride of real_counts per cell.
  generation_count: u32,
}

struct Cell {
  samples: u32,       // n
  candidates: u32,    // K
  inv_two_tau2: f32,  // 1/(2τ'²)
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> cells: array<Cell>;
// c' per cell, D each.
@group(0) @binding(2) var<storage, read> targets: array<f32>;
// ρ_t = round(λ_t·n) per cell, T + 1 each.
@group(0) @binding(3) var<storage, read> real_counts: array<u32>;
@group(0) @binding(4) var<storage, read_write> state: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> metrics: array<f32>;

// The last address read of each stream and its four values: samples read their words in order.
var<private> normal_address: u32 = 0xffffffffu;
var<private> normal_cache: vec4f;
var<private> uniform_address: u32 = 0xffffffffu;
var<private> uniform_cache: vec4f;

fn normal_at(replicate: u32, index: u32) -> f32 {
  let address = index >> 2u;
  if (address != normal_address) {
    normal_address = address;
    normal_cache = normals4(random_words(params.key, replicate, params.generation, STREAM_INPUTS, address));
  }
  return normal_cache[index & 3u];
}

fn uniform_at(replicate: u32, index: u32) -> f32 {
  let address = index >> 2u;
  if (address != uniform_address) {
    uniform_address = address;
    let w = random_words(params.key, replicate, params.generation, STREAM_VERIFIER_COIN, address);
    uniform_cache = vec4f(uniform_open01(w.x), uniform_open01(w.y), uniform_open01(w.z), uniform_open01(w.w));
  }
  return uniform_cache[index & 3u];
}

fn write_metrics(row: u32, cell_index: u32, cell: Cell, mean: array<f32, D>, v: f32) {
  var gap = 0.0;
  var norm = 0.0;
  for (var l = 0u; l < D; l++) { // unroll
    let d = mean[l] - targets[cell_index * D + l];
    gap += d * d;
    norm += mean[l] * mean[l];
  }
  let dim = f32(D);
  let ln_v = log(v);
  let out = row * COLUMNS;
  metrics[out + METRIC_REWARD] = -(gap + dim * v) * cell.inv_two_tau2;
  metrics[out + METRIC_TARGET_GAP] = gap;
  metrics[out + METRIC_VARIANCE] = v;
  metrics[out + METRIC_KL_MODEL] = 0.5 * (dim * v + norm - dim - dim * ln_v);
  metrics[out + METRIC_ENTROPY] = 0.5 * dim * (LN_TWO_PI_E + ln_v);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn step(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.x + gid.y * params.row_pitch;
  if (row >= params.threads) { return; }
  let thread = params.first_thread + row;
  let c = thread / params.replicates;
  let cell = cells[c];
  let replicate = params.replicate_base + thread % params.replicates;
  let base = row * STATE_STRIDE;
  let t = params.generation;
  // Function-scope arrays start at zero.
  var mean: array<f32, D>;

  if (t == 0u) {
    if (params.sample_begin != 0u) { return; }
    // p_0 = P*: m = 0, v = 1.
    for (var q = 0u; q < Q; q++) { state[base + STATE_MEAN + q] = vec4f(0.0); }
    state[base + STATE_SCALARS] = vec4f(1.0, 0.0, 0.0, 0.0);
    write_metrics(row, c, cell, mean, 1.0);
    return;
  }

  let begin = params.sample_begin;
  let end = min(params.sample_end, cell.samples);
  if (begin >= end) { return; }  // this cell's generation was finished in an earlier block
  for (var l = 0u; l < D; l++) { mean[l] = state[base + STATE_MEAN + (l >> 2u)][l & 3u]; }
  let scalars = state[base + STATE_SCALARS];
  let sd = sqrt(scalars.x);
  var sum: array<f32, D>;
  var sum_squares = 0.0;
  if (begin != 0u) {
    for (var l = 0u; l < D; l++) { sum[l] = state[base + STATE_SUM + (l >> 2u)][l & 3u]; }
    sum_squares = scalars.y;
  }
  var centre: array<f32, D>;
  for (var l = 0u; l < D; l++) { centre[l] = targets[c * D + l]; }
  let fresh = real_counts[c * params.generation_count + t];
  let K = cell.candidates;

  var x: array<f32, D>;
  var kept: array<f32, D>;
  for (var i = begin; i < end; i++) {
    if (i < fresh) {
      for (var l = 0u; l < D; l++) { kept[l] = normal_at(replicate, i * K * D + l); }
    } else {
      var best = 0.0;
      for (var j = 0u; j < K; j++) {
        var d2 = 0.0;
        for (var l = 0u; l < D; l++) { // unroll
          x[l] = mean[l] + sd * normal_at(replicate, (i * K + j) * D + l);
          let d = x[l] - centre[l];
          d2 += d * d;
        }
        let score = -d2 * cell.inv_two_tau2 - log(-log(uniform_at(replicate, i * K + j)));
        if (j == 0u || score > best) {
          best = score;
          kept = x;
        }
      }
    }
    for (var l = 0u; l < D; l++) { // unroll
      let d = kept[l] - mean[l];
      sum[l] += d;
      sum_squares += d * d;
    }
  }

  if (end != cell.samples) {
    for (var q = 0u; q < Q; q++) {
      var s = vec4f(0.0);
      for (var e = 0u; e < 4u; e++) { if (4u * q + e < D) { s[e] = sum[4u * q + e]; } }
      state[base + STATE_SUM + q] = s;
    }
    state[base + STATE_SCALARS] = vec4f(scalars.x, sum_squares, 0.0, 0.0);
    return;
  }

  let n = f32(cell.samples);
  var shift2 = 0.0;
  for (var l = 0u; l < D; l++) { // unroll
    let s = sum[l] / n;
    mean[l] += s;
    shift2 += s * s;
  }
  let v = max(sum_squares / (n * f32(D)) - shift2 / f32(D), VARIANCE_FLOOR);
  for (var q = 0u; q < Q; q++) {
    var m = vec4f(0.0);
    for (var e = 0u; e < 4u; e++) { if (4u * q + e < D) { m[e] = mean[4u * q + e]; } }
    state[base + STATE_MEAN + q] = m;
  }
  state[base + STATE_SCALARS] = vec4f(v, 0.0, 0.0, 0.0);
  write_metrics(row, c, cell, mean, v);
}
