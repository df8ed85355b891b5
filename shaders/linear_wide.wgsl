// The cooperative layout of shaders/linear.wgsl for d > 16: the same generation, the same
// random words, the same state layout and metric columns, but Q = ⌈d/4⌉ threads per replicate.
// Thread q of a replicate draws block q of every input (so no word is drawn twice), shares it
// through workgroup memory, and owns Gram rows 4q..4q+3, which it updates in place in `state`.
// Why not one thread per replicate as for small d: its Gram (4Q² vec4s) and inputs would be
// private arrays indexed at run time, which Mesa's llvmpipe lowers to a branch ladder per
// access — minutes of shader compilation past d = 16 — and which no GPU keeps in registers.
// Storage and workgroup memory are indexed natively on every backend.
// `finish` factors the Gram by a column-by-column Cholesky across the replicate's threads into
// a packed factor (the Gram itself is kept: accumulate mode adds to it next generation), then
// thread 0 solves the two triangular systems and writes the metric columns.
// Host: src/gpu/linear.ts (it picks this layout for d > 16). Twin: src/cpu/linear.ts.
// Prepended consts: D, Q, P = D(D+1)/2, K (replicates per workgroup), COLUMNS and METRIC_*.

const ROWS: u32 = 4u * Q;
const THREADS: u32 = K * Q;

// State per replicate, in vec4s: θ̂ (Q) | (failed, fit count, accepted, offered) | rhs (Q) |
// Gram (ROWS × Q, rows of Q vec4s, blocks on or below the diagonal used) | factor (P floats, packed).
const STATE_FLAGS: u32 = Q;
const STATE_RHS: u32 = Q + 1u;
const STATE_GRAM: u32 = 2u * Q + 1u;
const STATE_FACTOR: u32 = STATE_GRAM + ROWS * Q;
const STATE_STRIDE: u32 = STATE_FACTOR + (P + 3u) / 4u;
// A pivot at or below this fraction of its diagonal entry: singular to working precision (as cholesky.wgsl).
const PIVOT_TOLERANCE: f32 = 1e-5;

struct Params {
  key: vec2u,
  generation: u32,
  inputs_generation: u32,
  chunk_offset: u32,
  rows: u32,
  replicates_per_cell: u32,
  sample_begin: u32,
  sample_end: u32,
  reset_sums: u32,
  // Replicate rows per row of workgroups (x workgroups × K).
  row_pitch: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// As in linear.wgsl: θ* | √diag Σ | diag Σ (Q vec4s each), then per cell 2 + Q vec4s.
@group(0) @binding(1) var<storage, read> problem: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> state: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> metrics: array<f32>;

const CELLS_START: u32 = 3u * Q;
const CELL_VEC4S: u32 = 2u + Q;

struct Cell {
  samples: u32,
  real_samples: u32,
  sigma_real: f32,
  sigma_synthetic: f32,
  ridge_lambda: f32,
  radius: f32,
  slack: f32,
  verify: bool,
  base: u32,
}

fn load_cell(cell: u32) -> Cell {
  let at = CELLS_START + cell * CELL_VEC4S;
  let a = problem[at];
  let b = problem[at + 1u];
  return Cell(u32(a.x), u32(a.y), a.z, a.w, b.x, b.y, b.z, b.w != 0.0, at + 2u);
}

// Replicate k of the workgroup, sample s of the group, block q.
var<workgroup> shared_inputs: array<vec4f, K * ROWS>;
// (x·θ, x·θ_c, ‖x‖², 0) restricted to block q: each replicate's threads add them in the same order.
var<workgroup> shared_dots: array<vec4f, K * ROWS>;

struct Lane {
  row: u32,        // replicate row in this chunk
  k: u32,          // replicate within the workgroup
  q: u32,          // block (and Gram block-row) this thread owns
  in_range: bool,  // row < rows: threads past the chunk's end still reach every barrier
}

fn lane_of(local_index: u32, group: vec3u) -> Lane {
  let k = local_index / Q;
  let row = group.y * params.row_pitch + group.x * K + k;
  return Lane(row, k, local_index % Q, row < params.rows);
}

fn gram_at(base: u32, i: u32, qb: u32) -> u32 {
  return base + STATE_GRAM + i * Q + qb;
}

@compute @workgroup_size(THREADS)
fn accumulate(@builtin(local_invocation_index) local_index: u32, @builtin(workgroup_id) group: vec3u) {
  let lane = lane_of(local_index, group);
  let q = lane.q;
  let base = lane.row * STATE_STRIDE;
  var flags = vec4f(1.0, 0.0, 0.0, 0.0);
  if (lane.in_range) { flags = state[base + STATE_FLAGS]; }
  let live = lane.in_range && flags.x == 0.0;  // a replicate that failed earlier is excluded
  let thread = params.chunk_offset + lane.row;
  let replicate = thread % params.replicates_per_cell;
  let cell = load_cell(select(0u, thread / params.replicates_per_cell, lane.in_range));
  let sample_end = min(params.sample_end, cell.samples);

  let theta_star = problem[q];
  let sqrt_spectrum = problem[Q + q];
  let center = problem[cell.base + q];
  var theta = vec4f(0.0);
  if (lane.in_range) { theta = state[base + q]; }
  let first_block = params.sample_begin == 0u;
  let reset = first_block && params.reset_sums != 0u;
  if (reset) { flags.y = 0.0; }
  if (first_block) { flags.z = 0.0; flags.w = 0.0; }
  if (live && reset) {
    state[base + STATE_RHS + q] = vec4f(0.0);
    for (var r = 0u; r < 4u; r++) {
      for (var qb = 0u; qb <= q; qb++) { state[gram_at(base, 4u * q + r, qb)] = vec4f(0.0); }
    }
  }

  // The loop runs over the dispatch's block for every thread (barriers need uniform control
  // flow); samples past the cell's own count get weight 0.
  for (var group_start = params.sample_begin; group_start < params.sample_end; group_start += 4u) {
    if (live) {
      for (var s = 0u; s < 4u; s++) {
        let i = group_start + s;
        let x = sqrt_spectrum * normals4(random_words(params.key, replicate, params.inputs_generation, STREAM_INPUTS, i * Q + q));
        let real = i < cell.real_samples;
        let at = (lane.k * 4u + s) * Q + q;
        shared_inputs[at] = x;
        shared_dots[at] = vec4f(dot(x, select(theta, theta_star, real)), dot(x, center), dot(x, x), 0.0);
      }
    }
    workgroupBarrier();
    if (live) {
      let noise = normals4(random_words(params.key, replicate, params.generation, STREAM_LABEL_NOISE, group_start >> 2u));
      var ys = vec4f(0.0);
      var weights = vec4f(0.0);
      for (var s = 0u; s < 4u; s++) {
        let i = group_start + s;
        let present = i < sample_end;
        let real = i < cell.real_samples;
        var dots = vec4f(0.0);
        for (var qa = 0u; qa < Q; qa++) { dots += shared_dots[(lane.k * 4u + s) * Q + qa]; }
        let y = dots.x + select(cell.sigma_synthetic, cell.sigma_real, real) * noise[s];
        var accept = present;
        if (present && !real) {
          flags.w += 1.0;
          if (cell.verify) { accept = abs(y - dots.y) <= cell.radius * sqrt(dots.z) + cell.slack; }
          if (accept) { flags.z += 1.0; }
        }
        weights[s] = select(0.0, 1.0, accept);
        ys[s] = y;
      }
      flags.y += dot(weights, vec4f(1.0));
      let inputs = lane.k * ROWS;
      let own0 = weights.x * shared_inputs[inputs + q];
      let own1 = weights.y * shared_inputs[inputs + Q + q];
      let own2 = weights.z * shared_inputs[inputs + 2u * Q + q];
      let own3 = weights.w * shared_inputs[inputs + 3u * Q + q];
      for (var qb = 0u; qb <= q; qb++) {
        let x0 = shared_inputs[inputs + qb];
        let x1 = shared_inputs[inputs + Q + qb];
        let x2 = shared_inputs[inputs + 2u * Q + qb];
        let x3 = shared_inputs[inputs + 3u * Q + qb];
        state[gram_at(base, 4u * q, qb)] += own0.x * x0 + own1.x * x1 + own2.x * x2 + own3.x * x3;
        state[gram_at(base, 4u * q + 1u, qb)] += own0.y * x0 + own1.y * x1 + own2.y * x2 + own3.y * x3;
        state[gram_at(base, 4u * q + 2u, qb)] += own0.z * x0 + own1.z * x1 + own2.z * x2 + own3.z * x3;
        state[gram_at(base, 4u * q + 3u, qb)] += own0.w * x0 + own1.w * x1 + own2.w * x2 + own3.w * x3;
      }
      let targets = weights * ys;
      state[base + STATE_RHS + q] += targets.x * shared_inputs[inputs + q] + targets.y * shared_inputs[inputs + Q + q]
        + targets.z * shared_inputs[inputs + 2u * Q + q] + targets.w * shared_inputs[inputs + 3u * Q + q];
    }
    workgroupBarrier();  // the next group overwrites the shared inputs
  }
  if (live && q == 0u) { state[base + STATE_FLAGS] = flags; }
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
  let q = lane.q;
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
  var solved = lane.in_range && flags.x == 0.0 && !(cell.ridge_lambda == 0.0 && flags.y < f32(D));

  // Column j: every thread of the replicate computes the pivot from row j (identically, so all
  // agree on failure); the owner of each row i > j in block-row q then writes L[i][j].
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
