// The authors' one-round study (SCIENCE.md §2) for every replicate of every sweep cell, fused:
// one thread per replicate computes the four estimators and writes its metric row.
//   θ*  ~ N(0, I):   stream setup,  generation 0, addresses q < Q (replicate r)
//   real sample i:    x = stream inputs, generation 0, addresses i·Q + q; ε = labelNoise, generation 0, address ⌊i/4⌋, component i mod 4
//   synthetic i:      the same with generation 1 (shared by θ̂₂ and θ̂₃, so they differ only by their labeller)
// Thread g is replicate r = g mod R of cell ⌊g / R⌋; words depend on r only (common random numbers).
// θ̂₀: OLS on all n₁ real samples. θ̂₁: OLS on the real samples the verifier accepts.
// θ̂₂ / θ̂₃: OLS on the synthetic samples the verifier accepts, labelled ỹ = xᵀθ̂₁ + σε / xᵀθ̂₀ + σε.
// Verifier: accept iff |y − xᵀθ_c| ≤ radius·‖x‖ + slack, θ_c = θ* + bias·(1, …, 1).
// Host: src/gpu/yi-grid.ts. Twin: src/cpu/yi-grid.ts. Includes shaders/cholesky.wgsl and shaders/gram.wgsl.
// Prepended consts: D, Q = ceil(D/4), P = D(D+1)/2, COLUMNS and YI_* columns (src/engine/yi-grid.ts).

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  key: vec2u,
  chunk_offset: u32,
  rows: u32,
  replicates_per_cell: u32,
  row_pitch: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Per cell two vec4s: (n₁, n₂, σ, bias) | (radius, slack, 0, 0). Counts as f32 values
// (exact below 2^24): u32 bit patterns of small integers are denormals some adapters flush.
@group(0) @binding(1) var<storage, read> cells: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> metrics: array<f32>;

struct Fit {
  gram: array<vec4f, GRAM_VEC4S>,
  rhs: array<vec4f, Q>,
  count: f32,
}

// Components past D are zero, so padded lanes never enter a dot product or a Gram.
fn lane_mask(q: u32) -> vec4f {
  return select(vec4f(0.0), vec4f(1.0), vec4u(4u * q) + vec4u(0u, 1u, 2u, 3u) < vec4u(D));
}

fn add_sample(fit: ptr<function, Fit>, x: ptr<function, array<vec4f, Q>>, y: f32, weight: f32) {
  for (var qa = 0u; qa < Q; qa++) {
    let xa = weight * (*x)[qa];
    let row = 4u * qa * Q;
    for (var qb = 0u; qb < Q; qb++) {
      if (qb > qa) { continue; }  // constant trip count, so the compiler can unroll
      let xb = (*x)[qb];
      (*fit).gram[row + qb] += xa.x * xb;
      (*fit).gram[row + Q + qb] += xa.y * xb;
      (*fit).gram[row + 2u * Q + qb] += xa.z * xb;
      (*fit).gram[row + 3u * Q + qb] += xa.w * xb;
    }
    (*fit).rhs[qa] += xa * y;
  }
  (*fit).count += weight;
}

// OLS from the sufficient statistics; false when fewer than D samples or singular.
fn solve_fit(fit: ptr<function, Fit>, theta: ptr<function, array<vec4f, Q>>) -> bool {
  return (*fit).count >= f32(D) && gram_solve(&(*fit).gram, &(*fit).rhs, 0.0, theta);
}

fn squared_distance(a: ptr<function, array<vec4f, Q>>, b: ptr<function, array<vec4f, Q>>) -> f32 {
  var total = 0.0;
  for (var q = 0u; q < Q; q++) {
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
  let r = thread % params.replicates_per_cell;
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
  for (var q = 0u; q < Q; q++) {
    theta_star[q] = lane_mask(q) * normals4(random_words(params.key, r, 0u, STREAM_SETUP, q));
    center[q] = theta_star[q] + bias * lane_mask(q);
  }

  // Real data: θ̂₀ from all samples, θ̂₁ from the accepted ones.
  var all_real: Fit;
  var verified_real: Fit;
  var noise = vec4f(0.0);
  for (var i = 0u; i < n1; i++) {
    if ((i & 3u) == 0u) { noise = normals4(random_words(params.key, r, 0u, STREAM_LABEL_NOISE, i >> 2u)); }
    var x: array<vec4f, Q>;
    var mean = 0.0;
    var centre_mean = 0.0;
    var norm2 = 0.0;
    for (var q = 0u; q < Q; q++) {
      x[q] = lane_mask(q) * normals4(random_words(params.key, r, 0u, STREAM_INPUTS, i * Q + q));
      mean += dot(x[q], theta_star[q]);
      centre_mean += dot(x[q], center[q]);
      norm2 += dot(x[q], x[q]);
    }
    let y = mean + sigma * noise[i & 3u];
    let accept = abs(y - centre_mean) <= radius * sqrt(norm2) + slack;
    add_sample(&all_real, &x, y, 1.0);
    add_sample(&verified_real, &x, y, select(0.0, 1.0, accept));
  }
  var theta0: array<vec4f, Q>;
  var theta1: array<vec4f, Q>;
  let ok0 = solve_fit(&all_real, &theta0);
  let ok1 = solve_fit(&verified_real, &theta1);

  // Synthetic data, the same inputs and noise for both labellers.
  var from_verified: Fit;
  var from_real: Fit;
  for (var i = 0u; i < n2; i++) {
    if ((i & 3u) == 0u) { noise = normals4(random_words(params.key, r, 1u, STREAM_LABEL_NOISE, i >> 2u)); }
    var x: array<vec4f, Q>;
    var mean1 = 0.0;
    var mean0 = 0.0;
    var centre_mean = 0.0;
    var norm2 = 0.0;
    for (var q = 0u; q < Q; q++) {
      x[q] = lane_mask(q) * normals4(random_words(params.key, r, 1u, STREAM_INPUTS, i * Q + q));
      mean1 += dot(x[q], theta1[q]);
      mean0 += dot(x[q], theta0[q]);
      centre_mean += dot(x[q], center[q]);
      norm2 += dot(x[q], x[q]);
    }
    let window = radius * sqrt(norm2) + slack;
    let y1 = mean1 + sigma * noise[i & 3u];
    let y0 = mean0 + sigma * noise[i & 3u];
    add_sample(&from_verified, &x, y1, select(0.0, 1.0, ok1 && abs(y1 - centre_mean) <= window));
    add_sample(&from_real, &x, y0, select(0.0, 1.0, ok0 && abs(y0 - centre_mean) <= window));
  }
  var theta2: array<vec4f, Q>;
  var theta3: array<vec4f, Q>;
  let ok2 = ok1 && solve_fit(&from_verified, &theta2);
  let ok3 = ok0 && solve_fit(&from_real, &theta3);

  let out = local * COLUMNS;
  metrics[out + YI_VALID] = select(0.0, 1.0, ok0);
  metrics[out + YI_VALID + 1u] = select(0.0, 1.0, ok1);
  metrics[out + YI_VALID + 2u] = select(0.0, 1.0, ok2);
  metrics[out + YI_VALID + 3u] = select(0.0, 1.0, ok3);
  metrics[out + YI_LOSS] = select(0.0, squared_distance(&theta0, &theta_star), ok0);
  metrics[out + YI_LOSS + 1u] = select(0.0, squared_distance(&theta1, &theta_star), ok1);
  metrics[out + YI_LOSS + 2u] = select(0.0, squared_distance(&theta2, &theta_star), ok2);
  metrics[out + YI_LOSS + 3u] = select(0.0, squared_distance(&theta3, &theta_star), ok3);
  metrics[out + YI_ACCEPTED_REAL] = verified_real.count;
  metrics[out + YI_ACCEPTED_FROM_VERIFIED] = from_verified.count;
  metrics[out + YI_ACCEPTED_FROM_REAL] = from_real.count;
}
