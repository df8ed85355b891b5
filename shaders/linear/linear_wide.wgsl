// The cooperative layout of shaders/linear/linear.wgsl for d > 16: the same generation, the same
// random words, the same state layout and metric columns, but T = Q(Q+1)/2 threads per replicate
// (Q = ⌈d/4⌉), and the Gram XᵀWX computed by the engine's batched dense kernels.
// Why not one thread per replicate as for small d: its Gram (4Q² vec4s) and inputs would be
// private arrays indexed at run time, which Mesa's llvmpipe lowers to a branch ladder per access
// (minutes of shader compilation past d = 16) and which no GPU keeps in registers.
// Per sample block (BLOCK samples, a multiple of S), three dispatches:
//   sample_rows: S samples per round of three phases, through workgroup memory:
//     draw:   the replicate's threads share the S·Q input addresses (each drawn once) and write each
//             block of x with its partial dots (x·θ or x·θ*, x·θ_c, ‖x‖²);
//     verify: the replicate's threads share the S samples: add the partial dots, label, verify;
//     write:  each sample's weighted row w·(x, y) (ROW_VEC4S vec4s: x, y at column D, zeros after)
//             into `staged_rows` (BLOCK rows per replicate); thread 0 counts.
//   the dense op (src/core/nn: shaders/nn/dense.wgsl on GPUs, dense_reg.wgsl on CPU adapters):
//     block_gram (+)= rows[:, :D]ᵀ · rows, D × 4·ROW_VEC4S per replicate — XᵀWX and, in column D,
//     XᵀWy (w ∈ {0, 1}, so w² = w); the generation's first block overwrites, later ones add;
//   add_gram (after the generation's last block): each 4×4 tile on or below the diagonal of the
//     state's Gram, and the diagonal tiles' XᵀWy, add block_gram (or start from it: reset_sums).
// `finish` factors the Gram by a column-by-column Cholesky across the replicate's first Q threads
// (thread q owns rows 4q..4q+3) into a packed factor in `state` (the Gram itself is kept:
// accumulate mode adds to it next generation); thread 0 then solves the triangular systems and
// writes the metric columns.
// Host: src/models/linear/gpu.ts (it picks this layout for d > 16). Twin: src/models/linear/twin.ts.
// Prepended consts: D, Q, P = D(D+1)/2, TILES = Q(Q+1)/2, K (replicates per workgroup), S (samples
// per round), BLOCK (samples per block), ROW_VEC4S = ⌊D/4⌋ + 1, COLUMNS and METRIC_*.

const ROWS: u32 = 4u * Q;
const THREADS: u32 = K * TILES;
const GRAM_COLS: u32 = 4u * ROW_VEC4S;

// After linear_problem.wgsl's state head: the packed Cholesky factor (P floats).
const STATE_FACTOR: u32 = STATE_GRAM + ROWS * Q;
const STATE_STRIDE: u32 = STATE_FACTOR + (P + 3u) / 4u;
// A pivot at or below this fraction of its diagonal entry: singular to working precision (as cholesky.wgsl).
const PIVOT_TOLERANCE: f32 = 1e-5;

// Per replicate of the chunk: BLOCK rows of ROW_VEC4S vec4s (the dense op's tensor `rows`).
@group(0) @binding(4) var<storage, read_write> staged_rows: array<vec4f>;
// Per replicate of the chunk: D rows of GRAM_COLS floats (the dense op's tensor `gram`).
@group(0) @binding(5) var<storage, read> block_gram: array<vec4f>;

// Replicate k of the workgroup, sample s of the round, block q at (k·S + s)·Q + q.
var<workgroup> shared_inputs: array<vec4f, K * S * Q>;
// (x·θ, x·θ_c, ‖x‖², 0) restricted to block q, same index.
var<workgroup> shared_dots: array<vec4f, K * S * Q>;
// Per sample (weight, label, offered, accepted) at k·S + s.
var<workgroup> shared_samples: array<vec4f, K * S>;

struct Lane {
  row: u32,        // replicate row in this chunk
  k: u32,          // replicate within the workgroup
  t: u32,          // thread within the replicate: tile t, and the t-th share of each phase's work
  in_range: bool,  // row < rows: threads past the chunk's end still reach every barrier
}

fn lane_of(local_index: u32, group: vec3u) -> Lane {
  let k = local_index / TILES;
  let row = group.y * params.row_pitch + group.x * K + k;
  return Lane(row, k, local_index % TILES, row < params.rows);
}

fn gram_at(base: u32, i: u32, qb: u32) -> u32 {
  return base + STATE_GRAM + i * Q + qb;
}

// Tile t = (qa, qb), qb ≤ qa, numbered row by row.
fn tile_of(t: u32) -> vec2u {
  var qa = 0u;
  var row_start = 0u;
  while (t >= row_start + qa + 1u) { row_start += qa + 1u; qa++; }
  return vec2u(qa, t - row_start);
}

@compute @workgroup_size(THREADS)
fn sample_rows(@builtin(local_invocation_index) local_index: u32, @builtin(workgroup_id) group: vec3u) {
  let lane = lane_of(local_index, group);
  let base = lane.row * STATE_STRIDE;
  var flags = vec4f(1.0, 0.0, 0.0, 0.0);
  if (lane.in_range) { flags = state[base + STATE_FLAGS]; }
  let live = lane.in_range && flags.x == 0.0;  // a replicate that failed earlier is excluded
  let thread = params.chunk_offset + lane.row;
  let replicate = params.replicate_base + thread % params.replicates_per_cell;
  let cell = load_cell(select(0u, thread / params.replicates_per_cell, lane.in_range));
  let sample_end = min(params.sample_end, cell.samples);
  var counts = vec3f(0.0);  // fit count, accepted, offered (thread 0)
  let inputs = lane.k * S * Q;
  let samples = lane.k * S;
  let out = lane.row * BLOCK * ROW_VEC4S;
  // Every thread runs every round (barriers need uniform control flow); samples past the
  // cell's own count get weight 0, so their rows are zeros.
  for (var round = params.sample_begin; round < params.sample_begin + BLOCK; round += S) {
    if (live) {
      for (var a = lane.t; a < S * Q; a += TILES) {
        let s = a / Q;
        let q = a % Q;
        let i = round + s;
        if (i < sample_end) {
          let x = problem[Q + q] * normals4(random_words(params.key, replicate, params.inputs_generation, STREAM_INPUTS, i * Q + q));
          let label_with = select(state[base + q], problem[q], i < cell.real_samples);
          shared_inputs[inputs + a] = x;
          shared_dots[inputs + a] = vec4f(dot(x, label_with), dot(x, problem[cell.base + q]), dot(x, x), 0.0);
        }
      }
    }
    workgroupBarrier();
    if (live) {
      for (var s = lane.t; s < S; s += TILES) {
        let i = round + s;
        var sample = vec4f(0.0);
        if (i < sample_end) {
          let real = i < cell.real_samples;
          var dots = vec4f(0.0);
          for (var q = 0u; q < Q; q++) { dots += shared_dots[inputs + s * Q + q]; }
          let noise = normals4(random_words(params.key, replicate, params.generation, STREAM_LABEL_NOISE, i >> 2u))[i & 3u];
          let y = dots.x + select(cell.sigma_synthetic, cell.sigma_real, real) * noise;
          var accept = true;
          if (!real && cell.verify) { accept = abs(y - dots.y) <= cell.radius * sqrt(dots.z) + cell.slack; }
          sample = vec4f(select(0.0, 1.0, accept), y, select(1.0, 0.0, real), select(0.0, 1.0, accept && !real));
        }
        shared_samples[samples + s] = sample;
      }
    }
    workgroupBarrier();
    if (live) {
      for (var a = lane.t; a < S * ROW_VEC4S; a += TILES) {
        let s = a / ROW_VEC4S;
        let q = a % ROW_VEC4S;
        let sample = shared_samples[samples + s];
        var row = vec4f(0.0);
        if (q < Q) { row = shared_inputs[inputs + s * Q + q]; }
        if (q == D / 4u) { row[D % 4u] = sample.y; }
        staged_rows[out + (round - params.sample_begin + s) * ROW_VEC4S + q] = sample.x * row;
      }
      if (lane.t == 0u) {
        for (var s = 0u; s < S; s++) {
          let sample = shared_samples[samples + s];
          counts += vec3f(sample.x, sample.w, sample.z);
        }
      }
    }
    workgroupBarrier();  // the next round overwrites the shared inputs
  }
  if (!live || lane.t != 0u) { return; }
  let keep = !(params.sample_begin == 0u && params.reset_sums != 0u);
  if (params.sample_begin == 0u) { flags.z = 0.0; flags.w = 0.0; }
  flags.y = select(0.0, flags.y, keep) + counts.x;
  flags.z += counts.y;
  flags.w += counts.z;
  state[base + STATE_FLAGS] = flags;
}

// After the generation's last block: the state's Gram tile (qa, qb) and, on the diagonal, XᵀWy
// rows 4qa..4qa+3, add the generation's block_gram (or start from it where reset_sums says so).
// Upper halves of diagonal tiles are kept as computed, never read.
@compute @workgroup_size(THREADS)
fn add_gram(@builtin(local_invocation_index) local_index: u32, @builtin(workgroup_id) group: vec3u) {
  let lane = lane_of(local_index, group);
  if (!lane.in_range) { return; }
  let base = lane.row * STATE_STRIDE;
  if (state[base + STATE_FLAGS].x != 0.0) { return; }
  let tile = tile_of(lane.t);
  let qa = tile.x;
  let qb = tile.y;
  let keep = params.reset_sums == 0u;
  let zero = vec4f(0.0);
  let sums = lane.row * D * ROW_VEC4S;
  var rhs = vec4f(0.0);
  for (var r = 0u; r < 4u; r++) {
    let i = 4u * qa + r;
    if (i < D) {
      let at = gram_at(base, i, qb);
      state[at] = select(zero, state[at], keep) + block_gram[sums + i * ROW_VEC4S + qb];
      rhs[r] = block_gram[sums + i * ROW_VEC4S + D / 4u][D % 4u];
    }
  }
  if (qa == qb) { state[base + STATE_RHS + qa] = select(zero, state[base + STATE_RHS + qa], keep) + rhs; }
}

fn gram_entry(base: u32, i: u32, j: u32) -> f32 {
  return state[gram_at(base, i, j >> 2u)][j & 3u];
}

fn factor_index(base: u32, i: u32, j: u32) -> vec2u {
  let p = i * (i + 1u) / 2u + j;
  return vec2u(base + STATE_FACTOR + (p >> 2u), p & 3u);
}

fn factor_entry(base: u32, i: u32, j: u32) -> f32 {
  let at = factor_index(base, i, j);
  return state[at.x][at.y];
}

fn set_factor_entry(base: u32, i: u32, j: u32, value: f32) {
  let at = factor_index(base, i, j);
  state[at.x][at.y] = value;
}

@compute @workgroup_size(THREADS)
fn finish(@builtin(local_invocation_index) local_index: u32, @builtin(workgroup_id) group: vec3u) {
  let lane = lane_of(local_index, group);
  let q = lane.t;  // threads q < Q own Gram rows 4q..4q+3 here
  let base = lane.row * STATE_STRIDE;
  let out = lane.row * COLUMNS;
  var flags = vec4f(1.0, 0.0, 0.0, 0.0);
  if (lane.in_range) { flags = state[base + STATE_FLAGS]; }
  let cell = load_cell(select(0u, (params.chunk_offset + lane.row) / params.replicates_per_cell, lane.in_range));
  if (lane.in_range && q == 0u) {
    for (var c = 0u; c < COLUMNS; c++) { metrics[out + c] = 0.0; }
    if (flags.x == 0.0) {
      metrics[out + METRIC_ACCEPTED] = flags.z;
      metrics[out + METRIC_OFFERED] = flags.w;
    }
  }
  // Without ridge, fewer samples than dimensions cannot determine θ̂.
  var solved = lane.in_range && q < Q && flags.x == 0.0 && !(cell.ridge_lambda == 0.0 && flags.y < f32(D));

  // Column j: each of the replicate's first Q threads computes the pivot from row j (identically,
  // so all agree on failure); the owner of each row i > j in block-row q then writes L[i][j].
  for (var j = 0u; j < D; j++) {
    var l_jj = 1.0;
    if (solved) {
      let diagonal = gram_entry(base, j, j) + cell.ridge_lambda;
      var pivot = diagonal;
      for (var k = 0u; k < j; k++) {
        let l = factor_entry(base, j, k);
        pivot -= l * l;
      }
      solved = pivot > PIVOT_TOLERANCE * diagonal;
      l_jj = sqrt(max(pivot, 0.0));
    }
    if (solved) {
      for (var r = 0u; r < 4u; r++) {
        let i = 4u * q + r;
        if (i == j) { set_factor_entry(base, j, j, l_jj); }
        if (i > j && i < D) {
          var s = gram_entry(base, i, j);
          for (var k = 0u; k < j; k++) { s -= factor_entry(base, i, k) * factor_entry(base, j, k); }
          set_factor_entry(base, i, j, s / l_jj);
        }
      }
    }
    storageBarrier();  // column j complete before any thread reads it
  }
  if (!lane.in_range || q != 0u || flags.x != 0.0) { return; }
  if (!solved) {
    state[base + STATE_FLAGS].x = 1.0;
    return;
  }
  // Thread 0: L z = b into θ̂'s slots, then Lᵀ θ = z in place (entries past D stay 0).
  for (var qq = 0u; qq < Q; qq++) { state[base + qq] = vec4f(0.0); }
  for (var i = 0u; i < D; i++) {
    var s = state[base + STATE_RHS + (i >> 2u)][i & 3u];
    for (var k = 0u; k < i; k++) { s -= factor_entry(base, i, k) * state[base + (k >> 2u)][k & 3u]; }
    state[base + (i >> 2u)][i & 3u] = s / factor_entry(base, i, i);
  }
  for (var step = 0u; step < D; step++) {
    let i = D - 1u - step;
    var s = state[base + (i >> 2u)][i & 3u];
    for (var k = i + 1u; k < D; k++) { s -= factor_entry(base, k, i) * state[base + (k >> 2u)][k & 3u]; }
    state[base + (i >> 2u)][i & 3u] = s / factor_entry(base, i, i);
  }
  var err2 = 0.0;
  var risk = 0.0;
  var center_dist2 = 0.0;
  for (var j = 0u; j < D; j++) {
    let qj = j >> 2u;
    let c = j & 3u;
    let estimate = state[base + qj][c];
    let delta = estimate - problem[qj][c];
    let from_center = estimate - problem[cell.base + qj][c];
    err2 += delta * delta;
    risk += problem[2u * Q + qj][c] * delta * delta;
    center_dist2 += from_center * from_center;
    metrics[out + METRIC_DELTA + j] = delta;
  }
  metrics[out + METRIC_VALID] = 1.0;
  metrics[out + METRIC_ERR2] = err2;
  metrics[out + METRIC_RISK] = risk;
  metrics[out + METRIC_CENTER_DIST2] = center_dist2;
}
