// One generation of iterative linear retraining for every replicate, fused: draw inputs
// x = Σ^{1/2} z, label them (real: θ*, synthetic: the replicate's θ̂), apply the verifier
// ball and accumulate XᵀWX and XᵀWy — samples never reach memory — then ridge-solve and
// write the metric columns. One thread per replicate of one sweep cell: thread g of the run
// is replicate r = g mod R of cell ⌊g / R⌋, and draws the words of replicate r, so every
// cell sees the same samples (common random numbers).
// `accumulate` covers the samples [sample_begin, sample_end) of a generation: some adapters
// silently end an invocation's loops after a fixed number of iterations (llvmpipe: 65535),
// so the host splits long sample loops into blocks that each stay below the measured limit
// (see loopIterationLimit in src/core/gpu/device.ts). `finish` then solves and writes metrics; where
// a fresh fit without ridge has fewer samples than D it draws them again and solves for the
// minimum-norm fit instead (minimum_norm_system).
// Host: src/models/linear/gpu.ts. Twin: src/models/linear/twin.ts. Includes shaders/cholesky.wgsl, shaders/gram.wgsl and shaders/linear/linear_problem.wgsl.
// Prepended consts: D, Q = ceil(D/4), P = D(D+1)/2, COLUMNS and METRIC_* (src/core/engine/metrics.ts).

override WORKGROUP_SIZE: u32 = 64u;

// A replicate's state is linear_problem.wgsl's head alone: θ̂ | flags | rhs | Gram.
const STATE_STRIDE: u32 = 2u * Q + 1u + GRAM_VEC4S;

@compute @workgroup_size(WORKGROUP_SIZE)
fn accumulate(@builtin(global_invocation_id) gid: vec3u) {
  let local = gid.x + gid.y * params.row_pitch;
  if (local >= params.rows) { return; }
  let base = local * STATE_STRIDE;
  var flags = state[base + STATE_FLAGS];  // (failed, fit count, accepted, offered)
  if (flags.x != 0.0) { return; }  // failed in an earlier generation: excluded
  let thread = params.chunk_offset + local;
  let replicate = params.replicate_base + thread % params.replicates_per_cell;
  let cell = load_cell(thread / params.replicates_per_cell);
  let sample_end = min(params.sample_end, cell.samples);

  var theta_star: array<vec4f, Q>;
  var center: array<vec4f, Q>;
  var sqrt_spectrum: array<vec4f, Q>;
  var theta: array<vec4f, Q>;
  var rhs: array<vec4f, Q>;
  var gram: array<vec4f, GRAM_VEC4S>;
  for (var q = 0u; q < Q; q++) { // unroll
    theta_star[q] = problem[q];
    sqrt_spectrum[q] = problem[Q + q];
    center[q] = problem[cell.base + q];
    theta[q] = state[base + q];
  }
  let first_block = params.sample_begin == 0u;
  if (first_block && params.reset_sums != 0u) {
    flags.y = 0.0;
  } else {
    for (var q = 0u; q < Q; q++) { rhs[q] = state[base + STATE_RHS + q]; }
    for (var k = 0u; k < GRAM_VEC4S; k++) { gram[k] = state[base + STATE_GRAM + k]; }
  }
  if (first_block) { flags.z = 0.0; flags.w = 0.0; }

  // Samples go GRAM_BATCH (= 4·GRAM_QUADS) at a time: a label-noise address per four, one gram_add.
  for (var group = params.sample_begin; group < sample_end; group += GRAM_BATCH) {
    var noise: array<vec4f, GRAM_QUADS>;
    for (var h = 0u; h < GRAM_QUADS; h++) { // unroll
      noise[h] = normals4(random_words(params.key, replicate, params.generation, STREAM_LABEL_NOISE, (group >> 2u) + h));
    }
    // Every entry is assigned below for every sample: a past-the-end or rejected sample gets
    // weight 0 (not relying on re-initialisation of loop-local arrays, which some backends
    // hoist out of the loop).
    var xs: array<vec4f, BATCH_ROWS>;  // sample s, block q at xs[s * Q + q]
    var ys: array<vec4f, GRAM_QUADS>;
    var weights: array<vec4f, GRAM_QUADS>;
    for (var s = 0u; s < GRAM_BATCH; s++) { // unroll 8
      let i = group + s;
      let present = i < sample_end;
      let real = i < cell.real_samples;
      var mean = 0.0;
      for (var q = 0u; q < Q; q++) { // unroll
        let x = sqrt_spectrum[q] * normals4(random_words(params.key, replicate, params.inputs_generation, STREAM_INPUTS, i * Q + q));
        xs[s * Q + q] = x;
        mean += dot(x, select(theta[q], theta_star[q], real));
      }
      let y = mean + select(cell.sigma_synthetic, cell.sigma_real, real) * noise[s >> 2u][s & 3u];
      var accept = present;
      if (present && !real) {
        flags.w += 1.0;
        if (cell.verify) {
          var center_mean = 0.0;
          var norm2 = 0.0;
          for (var q = 0u; q < Q; q++) { // unroll
            center_mean += dot(xs[s * Q + q], center[q]);
            norm2 += dot(xs[s * Q + q], xs[s * Q + q]);
          }
          accept = abs(y - center_mean) <= cell.radius * sqrt(norm2) + cell.slack;
        }
        if (accept) { flags.z += 1.0; }
      }
      weights[s >> 2u][s & 3u] = select(0.0, 1.0, accept);
      ys[s >> 2u][s & 3u] = y;
    }
    for (var h = 0u; h < GRAM_QUADS; h++) { // unroll
      flags.y += dot(weights[h], vec4f(1.0));
    }
    gram_add(&gram, &rhs, &xs, weights, ys);
  }

  state[base + STATE_FLAGS] = flags;
  for (var q = 0u; q < Q; q++) { state[base + STATE_RHS + q] = rhs[q]; }
  for (var k = 0u; k < GRAM_VEC4S; k++) { state[base + STATE_GRAM + k] = gram[k]; }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn finish(@builtin(global_invocation_id) gid: vec3u) {
  let local = gid.x + gid.y * params.row_pitch;
  if (local >= params.rows) { return; }
  let cell = load_cell((params.chunk_offset + local) / params.replicates_per_cell);
  let base = local * STATE_STRIDE;
  let out = local * COLUMNS;
  for (var c = 0u; c < COLUMNS; c++) { metrics[out + c] = 0.0; }
  let flags = state[base + STATE_FLAGS];
  if (flags.x != 0.0) { return; }
  metrics[out + METRIC_ACCEPTED] = flags.z;
  metrics[out + METRIC_OFFERED] = flags.w;

  var gram: array<vec4f, GRAM_VEC4S>;
  var rhs: array<vec4f, Q>;
  var estimate: array<vec4f, Q>;
  for (var k = 0u; k < GRAM_VEC4S; k++) { gram[k] = state[base + STATE_GRAM + k]; }
  for (var q = 0u; q < Q; q++) { rhs[q] = state[base + STATE_RHS + q]; }
  // Fewer samples than dimensions without ridge in a fresh fit: the minimum-norm fit, whose dual
  // system replaces the primal one in the same solve. Otherwise, without ridge, fewer kept samples
  // than dimensions (the verifier's rejections) cannot determine θ̂.
  var rows: array<vec4f, ROWS * Q>;  // sample i's inputs at rows[i * Q + q]
  if (cell.minimum_norm) {
    minimum_norm_system(cell, params.replicate_base + (params.chunk_offset + local) % params.replicates_per_cell, base, &rows, &gram, &rhs);
  }
  var solved = cell.minimum_norm || !(cell.ridge_lambda == 0.0 && flags.y < f32(D));
  if (solved) { solved = gram_solve(&gram, &rhs, cell.ridge_lambda, &estimate); }
  if (!solved) {
    state[base + STATE_FLAGS].x = 1.0;
    return;
  }
  if (cell.minimum_norm) {
    // θ̂ = Xᵀα: gram_solve returned the dual solution α.
    var alpha = estimate;
    for (var q = 0u; q < Q; q++) { estimate[q] = vec4f(0.0); }
    for (var i = 0u; i < cell.samples; i++) {
      let a = alpha[i >> 2u][i & 3u];
      for (var q = 0u; q < Q; q++) { estimate[q] += a * rows[i * Q + q]; }
    }
  }
  var err2 = 0.0;
  var risk = 0.0;
  var center_dist2 = 0.0;
  for (var j = 0u; j < D; j++) {
    let q = j >> 2u;
    let k = j & 3u;
    let delta = estimate[q][k] - problem[q][k];
    let from_center = estimate[q][k] - problem[cell.base + q][k];
    err2 += delta * delta;
    risk += problem[2u * Q + q][k] * delta * delta;
    center_dist2 += from_center * from_center;
    metrics[out + METRIC_DELTA + j] = delta;
  }
  for (var q = 0u; q < Q; q++) { state[base + q] = estimate[q]; }
  metrics[out + METRIC_VALID] = 1.0;
  metrics[out + METRIC_ERR2] = err2;
  metrics[out + METRIC_RISK] = risk;
  metrics[out + METRIC_CENTER_DIST2] = center_dist2;
}

// The minimum-norm least-squares fit of n = cell.samples < D samples is θ̂ = Xᵀα with (XXᵀ)α = y.
// Draws the n samples again from their addressed words, as `accumulate` did (inputs, label by θ*
// or by the θ̂ in the state, noise), into `rows`, and writes the dual system into the primal
// one's place: gram ← XXᵀ padded to D × D with the identity, rhs ← y padded with zeros, so the
// padded entries of α solve to 0. Twin: minimumNormFit in src/models/linear/twin.ts.
fn minimum_norm_system(cell: Cell, replicate: u32, base: u32, rows: ptr<function, array<vec4f, ROWS * Q>>,
                       gram: ptr<function, array<vec4f, GRAM_VEC4S>>, rhs: ptr<function, array<vec4f, Q>>) {
  for (var q = 0u; q < Q; q++) { (*rhs)[q] = vec4f(0.0); }
  var noise = vec4f(0.0);
  for (var i = 0u; i < D; i++) {
    for (var qb = 0u; qb < Q; qb++) { (*gram)[i * Q + qb] = vec4f(0.0); }
    (*gram)[i * Q + (i >> 2u)][i & 3u] = 1.0;
  }
  for (var i = 0u; i < cell.samples; i++) {
    if ((i & 3u) == 0u) { noise = normals4(random_words(params.key, replicate, params.generation, STREAM_LABEL_NOISE, i >> 2u)); }
    let real = i < cell.real_samples;
    var mean = 0.0;
    for (var q = 0u; q < Q; q++) {
      let x = problem[Q + q] * normals4(random_words(params.key, replicate, params.inputs_generation, STREAM_INPUTS, i * Q + q));
      (*rows)[i * Q + q] = x;
      mean += dot(x, select(state[base + q], problem[q], real));
    }
    (*rhs)[i >> 2u][i & 3u] = mean + select(cell.sigma_synthetic, cell.sigma_real, real) * noise[i & 3u];
    for (var j = 0u; j <= i; j++) {
      var g = 0.0;
      for (var q = 0u; q < Q; q++) { g += dot((*rows)[i * Q + q], (*rows)[j * Q + q]); }
      (*gram)[i * Q + (j >> 2u)][j & 3u] = g;
    }
  }
}
