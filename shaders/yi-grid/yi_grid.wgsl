// The authors' one-round study (docs/science.md §2) for every replicate of every sweep cell.
//   real sample i:    x_j = normal n = i·D + j of stream inputs, generation 0 (component n mod 4 of address ⌊n/4⌋:
//                     four samples use exactly D addresses, none wasted); ε = labelNoise, generation 0, address ⌊i/4⌋, component i mod 4
//   synthetic i:      the same with generation 1 (shared by θ̂₂ and θ̂₃, so they differ only by their labeller)
// Words depend on the replicate only (common random numbers), never on the cell.
// θ̂₀: OLS on all n₁ real samples. θ̂₁: OLS on the real samples the verifier accepts.
// θ̂₂ / θ̂₃: OLS on the synthetic samples the verifier accepts, labelled ỹ = xᵀθ̂₁ + σε / xᵀθ̂₀ + σε.
// Verifier: accept iff |y − xᵀθ_c| ≤ radius·‖x‖ + slack, θ_c = θ* + bias·(1, …, 1).
//
// Every quantity is computed relative to θ*, which then cancels: y − xᵀθ_c = σε − bias·Σx for a real
// sample, and a fit's error θ̂ − θ_ref solves XᵀWX·δ = XᵀW(y − Xθ_ref), where y − Xθ_ref is σε for every
// sample labelled from θ_ref. So θ* ~ N(0, I) is never drawn here (the twin draws it, and agrees), and the
// losses ‖θ̂ − θ*‖² are not differences of large numbers in f32.
//
// Two layouts, one arithmetic (the same functions in the same sample order, so a cell's bits do not
// depend on the layout):
//   study:        a thread per replicate of a cell draws its own samples (cells that differ in n₁, n₂ or σ).
//   study_shared: a workgroup per replicate of up to WORKGROUP_SIZE × CELLS_PER_THREAD cells that share
//                 n₁, n₂ and σ (a group, e.g. a bias × radius grid): the workgroup draws the replicate's
//                 samples into workgroup memory a tile at a time, every invocation reads them for its
//                 CELLS_PER_THREAD cells. θ̂₀ does not depend on the verifier, so fit_real computes it
//                 once per group and replicate beforehand.
// Host: src/models/yi-grid/gpu.ts. Twin: src/models/yi-grid/twin.ts. Includes shaders/cholesky.wgsl.
// Prepended consts: D, Q = ceil(D/4), P = D(D+1)/2, TILE = 4·WORKGROUP_SIZE, CELLS_PER_THREAD (gpu.ts), COLUMNS
// and YI_* columns (columns.ts).

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  key: vec2u,
  // Global row (cell × R + replicate) of the chunk's first metric row, and its rows (study,
  // study_shared) or group slots × R (fit_real).
  chunk_offset: u32,
  rows: u32,
  replicates_per_cell: u32,
  // Threads per row of the dispatch grid (x workgroups × WORKGROUP_SIZE).
  row_pitch: u32,
  // Replicate r of a cell draws the words of replicate replicate_base + r: a shard's first
  // replicate (src/core/engine/shard.ts), 0 in a whole run.
  replicate_base: u32,
  // study_shared: tiles in this chunk.
  tile_count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Per cell two vec4s: (n₁, n₂, σ, 0) | (bias, radius, slack, 0). Counts as f32 values
// (exact below 2^24): u32 bit patterns of small integers are denormals some adapters flush.
@group(0) @binding(1) var<storage, read> cells: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> metrics: array<f32>;
// Per group slot and replicate, Q + 1 vec4s: θ̂₀ − θ*, then (1 if θ̂₀ was fitted, 0, 0, 0).
@group(0) @binding(3) var<storage, read_write> real_fits: array<vec4f>;
// study_shared: per tile (group slot, first entry of tile_cells, cells, 0); its cells' indices.
@group(0) @binding(4) var<storage, read> tiles: array<vec4u>;
@group(0) @binding(5) var<storage, read> tile_cells: array<u32>;
// fit_real: per group slot, one of its cells.
@group(0) @binding(6) var<storage, read> group_cells: array<u32>;

const BATCH_ROWS: u32 = 4u * Q;

// A fit's sufficient statistics relative to a reference θ_ref: XᵀWX (packed lower triangle),
// XᵀW(y − Xθ_ref) and Σw. Scalars with indices known at compile time (loops expanded for D ≤ 16):
// no padding lanes, so d = 5 costs 15 + 5 multiply-adds a sample, not the 48 + 8 of 4×4 blocks.
struct Fit {
  gram: array<f32, P>,
  rhs: array<f32, D>,
  count: f32,
}

fn fit_add(fit: ptr<function, Fit>, x: ptr<function, array<vec4f, Q>>, weight: f32, residual: f32) {
  for (var a = 0u; a < D; a++) { // unroll 16
    let wa = weight * (*x)[a >> 2u][a & 3u];
    for (var b = 0u; b < D; b++) { // unroll 16
      if (b <= a) { (*fit).gram[packed_index(a, b)] += wa * (*x)[b >> 2u][b & 3u]; }
    }
    (*fit).rhs[a] += wa * residual;
  }
  (*fit).count += weight;
}

// θ̂ − θ_ref, or false (and zeros) with fewer than D samples or a singular Gram.
fn fit_solve(fit: ptr<function, Fit>, delta: ptr<function, array<vec4f, Q>>) -> bool {
  for (var q = 0u; q < Q; q++) { (*delta)[q] = vec4f(0.0); }
  if ((*fit).count < f32(D)) { return false; }
  var gram = (*fit).gram;
  var solution = (*fit).rhs;
  if (!cholesky_solve(&gram, &solution, 0.0)) { return false; }
  for (var j = 0u; j < D; j++) { // unroll 16
    (*delta)[j >> 2u][j & 3u] = solution[j];
  }
  return true;
}

fn squared_norm(v: ptr<function, array<vec4f, Q>>) -> f32 {
  var total = 0.0;
  for (var q = 0u; q < Q; q++) { // unroll
    total += dot((*v)[q], (*v)[q]);
  }
  return total;
}

// The inputs of samples group..group+3 (group a multiple of 4): D addresses, packed (see above).
fn draw_inputs_four(r: u32, generation: u32, group: u32, xs: ptr<function, array<vec4f, BATCH_ROWS>>) {
  var z: array<vec4f, D>;
  for (var a = 0u; a < D; a++) { // unroll 16
    z[a] = normals4(random_words(params.key, r, generation, STREAM_INPUTS, (group >> 2u) * D + a));
  }
  for (var s = 0u; s < 4u; s++) { // unroll
    for (var q = 0u; q < Q; q++) { // unroll
      var x = vec4f(0.0);
      for (var k = 0u; k < 4u; k++) { // unroll
        let n = s * D + 4u * q + k;
        if (4u * q + k < D) { x[k] = z[n >> 2u][n & 3u]; }
      }
      (*xs)[s * Q + q] = x;
    }
  }
}

// Samples group..group+3: their inputs into xs and, per sample, (σε, Σx, ‖x‖, 0).
fn draw_quad(r: u32, generation: u32, group: u32, sigma: f32, xs: ptr<function, array<vec4f, BATCH_ROWS>>) -> array<vec4f, 4> {
  draw_inputs_four(r, generation, group, xs);
  let noise = sigma * normals4(random_words(params.key, r, generation, STREAM_LABEL_NOISE, group >> 2u));
  var aux: array<vec4f, 4>;
  for (var s = 0u; s < 4u; s++) { // unroll
    var sum = 0.0;
    var norm2 = 0.0;
    for (var q = 0u; q < Q; q++) { // unroll
      let x = (*xs)[s * Q + q];
      sum += dot(x, vec4f(1.0));
      norm2 += dot(x, x);
    }
    aux[s] = vec4f(noise[s], sum, sqrt(norm2), 0.0);
  }
  return aux;
}

fn sample_inputs(xs: ptr<function, array<vec4f, BATCH_ROWS>>, s: u32) -> array<vec4f, Q> {
  var x: array<vec4f, Q>;
  for (var q = 0u; q < Q; q++) { // unroll
    x[q] = (*xs)[s * Q + q];
  }
  return x;
}

// y − xᵀθ* of a synthetic sample labelled by θ̂ = θ* + δ: xᵀδ + σε.
fn synthetic_residual(noise: f32, x: ptr<function, array<vec4f, Q>>, delta: ptr<function, array<vec4f, Q>>) -> f32 {
  var residual = noise;
  for (var q = 0u; q < Q; q++) { // unroll
    residual += dot((*x)[q], (*delta)[q]);
  }
  return residual;
}

// The verifier (bias, radius, slack) on a sample with aux (σε, Σx, ‖x‖, ·) and y − xᵀθ* = residual.
fn accepts(verifier: vec3f, aux: vec4f, residual: f32) -> bool {
  return abs(residual - verifier.x * aux.y) <= verifier.y * aux.z + verifier.z;
}

// A real sample into θ̂₁'s fit (weight `present`: 0 for the padding of the last quad).
fn add_real(verified: ptr<function, Fit>, x: ptr<function, array<vec4f, Q>>, aux: vec4f, verifier: vec3f, present: f32) {
  fit_add(verified, x, select(0.0, present, accepts(verifier, aux, aux.x)), aux.x);
}

// A synthetic sample with aux.w = its residual labelled by θ̂₀, into θ̂₂'s fit (labelled by θ̂₁ =
// θ* + delta1; weight use1 if fitted and present) and θ̂₃'s (weight use0). Each fit's reference is
// its labeller, so its residual is σε.
fn add_synthetic(from_verified: ptr<function, Fit>, from_real: ptr<function, Fit>, x: ptr<function, array<vec4f, Q>>,
                 aux: vec4f, verifier: vec3f, delta1: ptr<function, array<vec4f, Q>>, use1: f32, use0: f32) {
  fit_add(from_verified, x, select(0.0, use1, accepts(verifier, aux, synthetic_residual(aux.x, x, delta1))), aux.x);
  fit_add(from_real, x, select(0.0, use0, accepts(verifier, aux, aux.w)), aux.x);
}

// θ̂₂, θ̂₃ from their fits and labellers' errors; the cell's metric row.
fn finish_row(row: u32, ok0: bool, ok1: bool, delta0: ptr<function, array<vec4f, Q>>, delta1: ptr<function, array<vec4f, Q>>,
              verified: ptr<function, Fit>, from_verified: ptr<function, Fit>, from_real: ptr<function, Fit>) {
  var delta2: array<vec4f, Q>;
  var delta3: array<vec4f, Q>;
  let ok2 = ok1 && fit_solve(from_verified, &delta2);
  let ok3 = ok0 && fit_solve(from_real, &delta3);
  for (var q = 0u; q < Q; q++) { // unroll
    delta2[q] += (*delta1)[q];
    delta3[q] += (*delta0)[q];
  }
  let out = row * COLUMNS;
  metrics[out + YI_VALID] = select(0.0, 1.0, ok0);
  metrics[out + YI_VALID + 1u] = select(0.0, 1.0, ok1);
  metrics[out + YI_VALID + 2u] = select(0.0, 1.0, ok2);
  metrics[out + YI_VALID + 3u] = select(0.0, 1.0, ok3);
  metrics[out + YI_LOSS] = select(0.0, squared_norm(delta0), ok0);
  metrics[out + YI_LOSS + 1u] = select(0.0, squared_norm(delta1), ok1);
  metrics[out + YI_LOSS + 2u] = select(0.0, squared_norm(&delta2), ok2);
  metrics[out + YI_LOSS + 3u] = select(0.0, squared_norm(&delta3), ok3);
  metrics[out + YI_ACCEPTED_REAL] = (*verified).count;
  metrics[out + YI_ACCEPTED_FROM_VERIFIED] = (*from_verified).count;
  metrics[out + YI_ACCEPTED_FROM_REAL] = (*from_real).count;
}

// ——— Layout 1: a thread per replicate of a cell ———

@compute @workgroup_size(WORKGROUP_SIZE)
fn study(@builtin(global_invocation_id) gid: vec3u) {
  let local = gid.x + gid.y * params.row_pitch;
  if (local >= params.rows) { return; }
  let thread = params.chunk_offset + local;
  let r = params.replicate_base + thread % params.replicates_per_cell;
  let cell = thread / params.replicates_per_cell;
  let shape = cells[2u * cell];
  let verifier = cells[2u * cell + 1u].xyz;
  let n1 = u32(shape.x);
  let n2 = u32(shape.y);

  var all: Fit;
  var verified: Fit;
  for (var group = 0u; group < n1; group += 4u) {
    var xs: array<vec4f, BATCH_ROWS>;
    let aux = draw_quad(r, 0u, group, shape.z, &xs);
    for (var s = 0u; s < 4u; s++) { // unroll
      var x = sample_inputs(&xs, s);
      let present = select(0.0, 1.0, group + s < n1);
      fit_add(&all, &x, present, aux[s].x);
      add_real(&verified, &x, aux[s], verifier, present);
    }
  }
  var delta0: array<vec4f, Q>;
  var delta1: array<vec4f, Q>;
  let ok0 = fit_solve(&all, &delta0);
  let ok1 = fit_solve(&verified, &delta1);

  var from_verified: Fit;
  var from_real: Fit;
  for (var group = 0u; group < n2; group += 4u) {
    var xs: array<vec4f, BATCH_ROWS>;
    var aux = draw_quad(r, 1u, group, shape.z, &xs);
    for (var s = 0u; s < 4u; s++) { // unroll
      var x = sample_inputs(&xs, s);
      aux[s].w = synthetic_residual(aux[s].x, &x, &delta0);
      let present = group + s < n2;
      add_synthetic(&from_verified, &from_real, &x, aux[s], verifier, &delta1,
                    select(0.0, 1.0, present && ok1), select(0.0, 1.0, present && ok0));
    }
  }
  finish_row(local, ok0, ok1, &delta0, &delta1, &verified, &from_verified, &from_real);
}

// ——— Layout 2: a workgroup per replicate of a group's cells ———

// θ̂₀ − θ* of one replicate of one group (thread slot × R + replicate), as study computes it.
@compute @workgroup_size(WORKGROUP_SIZE)
fn fit_real(@builtin(global_invocation_id) gid: vec3u) {
  let local = gid.x + gid.y * params.row_pitch;
  if (local >= params.rows) { return; }
  let r = params.replicate_base + local % params.replicates_per_cell;
  let shape = cells[2u * group_cells[local / params.replicates_per_cell]];
  let n1 = u32(shape.x);
  var all: Fit;
  for (var group = 0u; group < n1; group += 4u) {
    var xs: array<vec4f, BATCH_ROWS>;
    let aux = draw_quad(r, 0u, group, shape.z, &xs);
    for (var s = 0u; s < 4u; s++) { // unroll
      var x = sample_inputs(&xs, s);
      fit_add(&all, &x, select(0.0, 1.0, group + s < n1), aux[s].x);
    }
  }
  var delta0: array<vec4f, Q>;
  let ok0 = fit_solve(&all, &delta0);
  let at = local * (Q + 1u);
  for (var q = 0u; q < Q; q++) { // unroll
    real_fits[at + q] = delta0[q];
  }
  real_fits[at + Q] = vec4f(select(0.0, 1.0, ok0), 0.0, 0.0, 0.0);
}

// One tile of a replicate's samples: inputs (Q vec4s a sample) and (σε, Σx, ‖x‖, residual labelled by θ̂₀).
var<workgroup> tile_inputs: array<vec4f, TILE * Q>;
var<workgroup> tile_aux: array<vec4f, TILE>;

// Samples start..start + TILE − 1 (those below n) of a generation into the tile: a quad per thread.
fn load_tile(r: u32, generation: u32, start: u32, n: u32, sigma: f32, delta0: ptr<function, array<vec4f, Q>>, lid: u32) {
  let group = start + 4u * lid;
  if (group >= n) { return; }
  var xs: array<vec4f, BATCH_ROWS>;
  let aux = draw_quad(r, generation, group, sigma, &xs);
  for (var s = 0u; s < 4u; s++) { // unroll
    var x = sample_inputs(&xs, s);
    let i = 4u * lid + s;
    for (var q = 0u; q < Q; q++) { // unroll
      tile_inputs[i * Q + q] = x[q];
    }
    tile_aux[i] = vec4f(aux[s].xyz, synthetic_residual(aux[s].x, &x, delta0));
  }
}

fn tile_sample(s: u32) -> array<vec4f, Q> {
  var x: array<vec4f, Q>;
  for (var q = 0u; q < Q; q++) { // unroll
    x[q] = tile_inputs[s * Q + q];
  }
  return x;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn study_shared(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let R = params.replicates_per_cell;
  let w = wid.x + wid.y * (params.row_pitch / WORKGROUP_SIZE);
  let tile_index = w / R;
  if (tile_index >= params.tile_count) { return; }
  let r_local = w % R;
  let r = params.replicate_base + r_local;
  let tile = tiles[tile_index];
  // Thread lid runs cells lid·K .. lid·K + K − 1 of the tile (K = CELLS_PER_THREAD): each sample read
  // from workgroup memory serves K cells. Slots past the tile's cells compute its last cell again
  // (every thread must reach every barrier) and write nothing.
  var cell: array<u32, CELLS_PER_THREAD>;
  var verifier: array<vec3f, CELLS_PER_THREAD>;
  for (var k = 0u; k < CELLS_PER_THREAD; k++) { // unroll 8
    cell[k] = tile_cells[tile.y + min(lid * CELLS_PER_THREAD + k, tile.z - 1u)];
    verifier[k] = cells[2u * cell[k] + 1u].xyz;
  }
  // n₁, n₂, σ are the group's: read through the tile so that loop bounds are workgroup-uniform.
  let shape = cells[2u * group_cells[tile.x]];
  let n1 = u32(shape.x);
  let n2 = u32(shape.y);

  var delta0: array<vec4f, Q>;
  let fit_at = (tile.x * R + r_local) * (Q + 1u);
  for (var q = 0u; q < Q; q++) { // unroll
    delta0[q] = real_fits[fit_at + q];
  }
  let ok0 = real_fits[fit_at + Q].x > 0.5;

  var verified: array<Fit, CELLS_PER_THREAD>;
  for (var start = 0u; start < n1; start += TILE) {
    workgroupBarrier();
    load_tile(r, 0u, start, n1, shape.z, &delta0, lid);
    workgroupBarrier();
    let count = min(TILE, n1 - start);
    for (var s = 0u; s < count; s++) {
      var x = tile_sample(s);
      let aux = tile_aux[s];
      for (var k = 0u; k < CELLS_PER_THREAD; k++) { // unroll 8
        add_real(&verified[k], &x, aux, verifier[k], 1.0);
      }
    }
  }
  var delta1: array<array<vec4f, Q>, CELLS_PER_THREAD>;
  var use1: array<f32, CELLS_PER_THREAD>;
  for (var k = 0u; k < CELLS_PER_THREAD; k++) { // unroll 8
    use1[k] = select(0.0, 1.0, fit_solve(&verified[k], &delta1[k]));
  }

  var from_verified: array<Fit, CELLS_PER_THREAD>;
  var from_real: array<Fit, CELLS_PER_THREAD>;
  let use0 = select(0.0, 1.0, ok0);
  for (var start = 0u; start < n2; start += TILE) {
    workgroupBarrier();
    load_tile(r, 1u, start, n2, shape.z, &delta0, lid);
    workgroupBarrier();
    let count = min(TILE, n2 - start);
    for (var s = 0u; s < count; s++) {
      var x = tile_sample(s);
      let aux = tile_aux[s];
      for (var k = 0u; k < CELLS_PER_THREAD; k++) { // unroll 8
        add_synthetic(&from_verified[k], &from_real[k], &x, aux, verifier[k], &delta1[k], use1[k], use0);
      }
    }
  }
  for (var k = 0u; k < CELLS_PER_THREAD; k++) { // unroll 8
    if (lid * CELLS_PER_THREAD + k < tile.z) {
      finish_row(cell[k] * R + r_local - params.chunk_offset, ok0, use1[k] > 0.5, &delta0, &delta1[k],
                 &verified[k], &from_verified[k], &from_real[k]);
    }
  }
}
