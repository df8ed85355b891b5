// The authors' one-round study (docs/science.md §2) for every replicate of every sweep cell, fused:
// one thread per replicate computes the four estimators and writes its metric row.
//   θ*  ~ N(0, I):   stream setup,  generation 0, addresses q < Q (replicate r)
//   real sample i:    x_j = normal n = i·D + j of stream inputs, generation 0 (component n mod 4 of address ⌊n/4⌋:
//                     four samples use exactly D addresses, none wasted); ε = labelNoise, generation 0, address ⌊i/4⌋, component i mod 4
//   synthetic i:      the same with generation 1 (shared by θ̂₂ and θ̂₃, so they differ only by their labeller)
// Thread g is replicate r = g mod R of cell ⌊g / R⌋; words depend on r only (common random numbers).
// θ̂₀: OLS on all n₁ real samples. θ̂₁: OLS on the real samples the verifier accepts.
// θ̂₂ / θ̂₃: OLS on the synthetic samples the verifier accepts, labelled ỹ = xᵀθ̂₁ + σε / xᵀθ̂₀ + σε.
// Verifier: accept iff |y − xᵀθ_c| ≤ radius·‖x‖ + slack, θ_c = θ* + bias·(1, …, 1).
// Host: src/models/yi-grid/gpu.ts. Twin: src/models/yi-grid/twin.ts. Includes shaders/cholesky.wgsl and shaders/gram.wgsl.
// Prepended consts: D, Q = ceil(D/4), P = D(D+1)/2, COLUMNS and YI_* columns (src/models/yi-grid/columns.ts).

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  key: vec2u,
  chunk_offset: u32,
  rows: u32,
  replicates_per_cell: u32,
  row_pitch: u32,
  // Replicate r of a cell draws the words of replicate replicate_base + r: a shard's first
  // replicate (src/core/engine/shard.ts), 0 in a whole run.
  replicate_base: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Per cell two vec4s: (n₁, n₂, σ, bias) | (radius, slack, 0, 0). Counts as f32 values
// (exact below 2^24): u32 bit patterns of small integers are denormals some adapters flush.
@group(0) @binding(1) var<storage, read> cells: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> metrics: array<f32>;

// Components past D are zero, so padded lanes never enter a dot product or a Gram.
fn lane_mask(q: u32) -> vec4f {
  return select(vec4f(0.0), vec4f(1.0), vec4u(4u * q) + vec4u(0u, 1u, 2u, 3u) < vec4u(D));
}

// One estimator's sufficient statistics live in a Gram, a right-hand side and a count of their
// own (separate variables, since gram_add writes through both of its pointers).

// OLS; false when fewer than D samples or singular.
fn solve_fit(count: f32, gram: ptr<function, array<vec4f, GRAM_VEC4S>>, rhs: ptr<function, array<vec4f, Q>>,
             theta: ptr<function, array<vec4f, Q>>) -> bool {
  return count >= f32(D) && gram_solve(gram, rhs, 0.0, theta);
}

// The inputs of samples group..group+3 (group a multiple of 4): D addresses, packed (see above).
fn draw_inputs_four(r: u32, generation: u32, group: u32, xs: ptr<function, array<vec4f, BATCH_ROWS>>) {
  var z: array<vec4f, D>;
  for (var a = 0u; a < D; a++) { // unroll
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

fn squared_distance(a: ptr<function, array<vec4f, Q>>, b: ptr<function, array<vec4f, Q>>) -> f32 {
  var total = 0.0;
  for (var q = 0u; q < Q; q++) { // unroll
    let diff = (*a)[q] - (*b)[q];
    total += dot(diff, diff);
  }
  return total;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn study(@builtin(global_invocation_id) gid: vec3u) {
  let local = gid.x + gid.y * params.row_pitch;
  if (local >= params.rows) { return; }
  let thread = params.chunk_offset + local;
  let r = params.replicate_base + thread % params.replicates_per_cell;
  let cell = thread / params.replicates_per_cell;
  let c0 = cells[2u * cell];
  let c1 = cells[2u * cell + 1u];
  let n1 = u32(c0.x);
  let n2 = u32(c0.y);
  let sigma = c0.z;
  let bias = c0.w;
  let radius = c1.x;
  let slack = c1.y;

  var theta_star: array<vec4f, Q>;
  var center: array<vec4f, Q>;
  for (var q = 0u; q < Q; q++) { // unroll
    theta_star[q] = lane_mask(q) * normals4(random_words(params.key, r, 0u, STREAM_SETUP, q));
    center[q] = theta_star[q] + bias * lane_mask(q);
  }

  // Real data, four samples at a time: θ̂₀ from all samples, θ̂₁ from the accepted ones.
  // Samples past n₁ are drawn but weigh 0; every array entry is assigned on every pass.
  var gram_all: array<vec4f, GRAM_VEC4S>;
  var rhs_all: array<vec4f, Q>;
  var count_all = 0.0;
  var gram_verified: array<vec4f, GRAM_VEC4S>;
  var rhs_verified: array<vec4f, Q>;
  var count_verified = 0.0;
  for (var group = 0u; group < n1; group += 4u) {
    let noise = normals4(random_words(params.key, r, 0u, STREAM_LABEL_NOISE, group >> 2u));
    var xs: array<vec4f, BATCH_ROWS>;
    draw_inputs_four(r, 0u, group, &xs);
    var ys = vec4f(0.0);
    var present = vec4f(0.0);
    var accepted = vec4f(0.0);
    for (var s = 0u; s < 4u; s++) { // unroll
      let i = group + s;
      var mean = 0.0;
      var centre_mean = 0.0;
      var norm2 = 0.0;
      for (var q = 0u; q < Q; q++) { // unroll
        let x = xs[s * Q + q];
        mean += dot(x, theta_star[q]);
        centre_mean += dot(x, center[q]);
        norm2 += dot(x, x);
      }
      ys[s] = mean + sigma * noise[s];
      present[s] = select(0.0, 1.0, i < n1);
      accepted[s] = select(0.0, present[s], abs(ys[s] - centre_mean) <= radius * sqrt(norm2) + slack);
    }
    gram_add(&gram_all, &rhs_all, &xs, array(present), array(ys));
    gram_add(&gram_verified, &rhs_verified, &xs, array(accepted), array(ys));
    count_all += dot(present, vec4f(1.0));
    count_verified += dot(accepted, vec4f(1.0));
  }
  var theta0: array<vec4f, Q>;
  var theta1: array<vec4f, Q>;
  let ok0 = solve_fit(count_all, &gram_all, &rhs_all, &theta0);
  let ok1 = solve_fit(count_verified, &gram_verified, &rhs_verified, &theta1);

  // Synthetic data, the same inputs and noise for both labellers.
  var gram_from_verified: array<vec4f, GRAM_VEC4S>;
  var rhs_from_verified: array<vec4f, Q>;
  var count_from_verified = 0.0;
  var gram_from_real: array<vec4f, GRAM_VEC4S>;
  var rhs_from_real: array<vec4f, Q>;
  var count_from_real = 0.0;
  for (var group = 0u; group < n2; group += 4u) {
    let noise = normals4(random_words(params.key, r, 1u, STREAM_LABEL_NOISE, group >> 2u));
    var xs: array<vec4f, BATCH_ROWS>;
    draw_inputs_four(r, 1u, group, &xs);
    var ys1 = vec4f(0.0);
    var ys0 = vec4f(0.0);
    var kept1 = vec4f(0.0);
    var kept0 = vec4f(0.0);
    for (var s = 0u; s < 4u; s++) { // unroll
      let i = group + s;
      var mean1 = 0.0;
      var mean0 = 0.0;
      var centre_mean = 0.0;
      var norm2 = 0.0;
      for (var q = 0u; q < Q; q++) { // unroll
        let x = xs[s * Q + q];
        mean1 += dot(x, theta1[q]);
        mean0 += dot(x, theta0[q]);
        centre_mean += dot(x, center[q]);
        norm2 += dot(x, x);
      }
      let window = radius * sqrt(norm2) + slack;
      ys1[s] = mean1 + sigma * noise[s];
      ys0[s] = mean0 + sigma * noise[s];
      let present = i < n2;
      kept1[s] = select(0.0, 1.0, present && ok1 && abs(ys1[s] - centre_mean) <= window);
      kept0[s] = select(0.0, 1.0, present && ok0 && abs(ys0[s] - centre_mean) <= window);
    }
    gram_add(&gram_from_verified, &rhs_from_verified, &xs, array(kept1), array(ys1));
    gram_add(&gram_from_real, &rhs_from_real, &xs, array(kept0), array(ys0));
    count_from_verified += dot(kept1, vec4f(1.0));
    count_from_real += dot(kept0, vec4f(1.0));
  }
  var theta2: array<vec4f, Q>;
  var theta3: array<vec4f, Q>;
  let ok2 = ok1 && solve_fit(count_from_verified, &gram_from_verified, &rhs_from_verified, &theta2);
  let ok3 = ok0 && solve_fit(count_from_real, &gram_from_real, &rhs_from_real, &theta3);

  let out = local * COLUMNS;
  metrics[out + YI_VALID] = select(0.0, 1.0, ok0);
  metrics[out + YI_VALID + 1u] = select(0.0, 1.0, ok1);
  metrics[out + YI_VALID + 2u] = select(0.0, 1.0, ok2);
  metrics[out + YI_VALID + 3u] = select(0.0, 1.0, ok3);
  metrics[out + YI_LOSS] = select(0.0, squared_distance(&theta0, &theta_star), ok0);
  metrics[out + YI_LOSS + 1u] = select(0.0, squared_distance(&theta1, &theta_star), ok1);
  metrics[out + YI_LOSS + 2u] = select(0.0, squared_distance(&theta2, &theta_star), ok2);
  metrics[out + YI_LOSS + 3u] = select(0.0, squared_distance(&theta3, &theta_star), ok3);
  metrics[out + YI_ACCEPTED_REAL] = count_verified;
  metrics[out + YI_ACCEPTED_FROM_VERIFIED] = count_from_verified;
  metrics[out + YI_ACCEPTED_FROM_REAL] = count_from_real;
}
