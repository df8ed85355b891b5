// Least-squares sufficient statistics per thread: XᵀWX kept as 4Q rows of Q vec4s, XᵀWy as Q
// vec4s. A library (no entry point) for the fused fitting kernels (linear.wgsl, gmm_selection.wgsl,
// yi_grid.wgsl, gaussian.wgsl); it needs cholesky.wgsl and the prepended consts D, Q, P.
// Every Gram update is a vec4 FMA whose indices are known at compile time once the constant-trip
// loops are expanded (`// unroll`, src/gpu/shader.ts, for Q ≤ 4); scalar packed storage would need
// dynamic indexing, several times slower on SIMD CPUs.

const ROWS: u32 = 4u * Q;
const GRAM_VEC4S: u32 = ROWS * Q;

// Adds four samples at once, so each accumulator is loaded and stored once per four samples:
// sample s has inputs xs[s·Q + q], weight weights[s] (1 kept, 0 not: a weight, not a branch, keeps
// neighbouring SIMD lanes in step) and target ys[s]. Only blocks on or below the diagonal change.
fn gram_add_four(gram: ptr<function, array<vec4f, GRAM_VEC4S>>, rhs: ptr<function, array<vec4f, Q>>,
                 xs: ptr<function, array<vec4f, ROWS>>, weights: vec4f, ys: vec4f) {
  let targets = weights * ys;
  for (var qa = 0u; qa < Q; qa++) { // unroll
    let w0 = weights.x * (*xs)[qa];
    let w1 = weights.y * (*xs)[Q + qa];
    let w2 = weights.z * (*xs)[2u * Q + qa];
    let w3 = weights.w * (*xs)[3u * Q + qa];
    let row = 4u * qa * Q;
    // A constant trip count (upper blocks skipped inside) keeps the loop unrollable where Q is
    // too large to expand here; `qb <= qa` as the bound would not be.
    for (var qb = 0u; qb < Q; qb++) { // unroll
      if (qb <= qa) {
        let x0 = (*xs)[qb];
        let x1 = (*xs)[Q + qb];
        let x2 = (*xs)[2u * Q + qb];
        let x3 = (*xs)[3u * Q + qb];
        (*gram)[row + qb] += w0.x * x0 + w1.x * x1 + w2.x * x2 + w3.x * x3;
        (*gram)[row + Q + qb] += w0.y * x0 + w1.y * x1 + w2.y * x2 + w3.y * x3;
        (*gram)[row + 2u * Q + qb] += w0.z * x0 + w1.z * x1 + w2.z * x2 + w3.z * x3;
        (*gram)[row + 3u * Q + qb] += w0.w * x0 + w1.w * x1 + w2.w * x2 + w3.w * x3;
      }
    }
    (*rhs)[qa] += targets.x * (*xs)[qa] + targets.y * (*xs)[Q + qa] + targets.z * (*xs)[2u * Q + qa] + targets.w * (*xs)[3u * Q + qa];
  }
}

// Solves (XᵀWX + λI) θ = XᵀWy from the lower triangle; θ's components past D are 0.
// False when the system is not positive definite (cholesky.wgsl's pivot test).
fn gram_solve(gram: ptr<function, array<vec4f, GRAM_VEC4S>>, rhs: ptr<function, array<vec4f, Q>>,
              lambda: f32, theta: ptr<function, array<vec4f, Q>>) -> bool {
  var packed: array<f32, P>;
  var solution: array<f32, D>;
  for (var i = 0u; i < D; i++) {
    for (var j = 0u; j <= i; j++) { packed[packed_index(i, j)] = (*gram)[i * Q + (j >> 2u)][j & 3u]; }
    solution[i] = (*rhs)[i >> 2u][i & 3u];
  }
  if (!cholesky_solve(&packed, &solution, lambda)) { return false; }
  for (var q = 0u; q < Q; q++) { (*theta)[q] = vec4f(0.0); }
  for (var j = 0u; j < D; j++) { (*theta)[j >> 2u][j & 3u] = solution[j]; }
  return true;
}
