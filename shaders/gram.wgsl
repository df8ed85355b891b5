// Least-squares sufficient statistics per thread: XᵀWX kept as 4Q rows of Q vec4s, XᵀWy as Q
// vec4s. A library (no entry point) for the fused fitting kernels (linear.wgsl, gmm_selection.wgsl,
// yi_grid.wgsl, gaussian.wgsl); it needs cholesky.wgsl and the prepended consts D, Q, P, GRAM_QUADS.
// Every Gram update is a vec4 FMA whose indices are known at compile time once the constant-trip
// loops are expanded (`// unroll`, src/core/gpu/shader.ts, for Q ≤ 4); scalar packed storage would need
// dynamic indexing, several times slower on SIMD CPUs.

const ROWS: u32 = 4u * Q;
const GRAM_VEC4S: u32 = ROWS * Q;
// Inputs of one batch of 4·GRAM_QUADS samples.
const BATCH_ROWS: u32 = GRAM_QUADS * ROWS;

// Adds 4·GRAM_QUADS samples at once (GRAM_QUADS, a prepended const: how many groups of four each
// kernel batches), so each accumulator is loaded and stored once per batch: on a SIMD CPU the
// per-thread Gram lives in memory, and eight samples instead of four per load and store made
// W2 (d = 16) 1.4× faster. Sample s has inputs xs[s·Q + q], weight weights[s / 4][s % 4] (1 kept,
// 0 not: a weight, not a branch, keeps neighbouring SIMD lanes in step) and target ys[s / 4][s % 4].
// Only blocks on or below the diagonal change.
fn gram_add(gram: ptr<function, array<vec4f, GRAM_VEC4S>>, rhs: ptr<function, array<vec4f, Q>>,
            xs: ptr<function, array<vec4f, BATCH_ROWS>>, weights: array<vec4f, GRAM_QUADS>, ys: array<vec4f, GRAM_QUADS>) {
  for (var qa = 0u; qa < Q; qa++) { // unroll
    let row = 4u * qa * Q;
    // A constant trip count (upper blocks skipped inside) keeps the loop unrollable where Q is
    // too large to expand here; `qb <= qa` as the bound would not be.
    for (var qb = 0u; qb < Q; qb++) { // unroll
      if (qb <= qa) {
        var r0 = vec4f(0.0);
        var r1 = vec4f(0.0);
        var r2 = vec4f(0.0);
        var r3 = vec4f(0.0);
        for (var h = 0u; h < GRAM_QUADS; h++) { // unroll
          let at = 4u * h * Q;
          let w = weights[h];
          let a0 = w.x * (*xs)[at + qa];
          let a1 = w.y * (*xs)[at + Q + qa];
          let a2 = w.z * (*xs)[at + 2u * Q + qa];
          let a3 = w.w * (*xs)[at + 3u * Q + qa];
          let x0 = (*xs)[at + qb];
          let x1 = (*xs)[at + Q + qb];
          let x2 = (*xs)[at + 2u * Q + qb];
          let x3 = (*xs)[at + 3u * Q + qb];
          r0 += a0.x * x0 + a1.x * x1 + a2.x * x2 + a3.x * x3;
          r1 += a0.y * x0 + a1.y * x1 + a2.y * x2 + a3.y * x3;
          r2 += a0.z * x0 + a1.z * x1 + a2.z * x2 + a3.z * x3;
          r3 += a0.w * x0 + a1.w * x1 + a2.w * x2 + a3.w * x3;
        }
        (*gram)[row + qb] += r0;
        (*gram)[row + Q + qb] += r1;
        (*gram)[row + 2u * Q + qb] += r2;
        (*gram)[row + 3u * Q + qb] += r3;
      }
    }
    var r = vec4f(0.0);
    for (var h = 0u; h < GRAM_QUADS; h++) { // unroll
      let at = 4u * h * Q;
      let t = weights[h] * ys[h];
      r += t.x * (*xs)[at + qa] + t.y * (*xs)[at + Q + qa] + t.z * (*xs)[at + 2u * Q + qa] + t.w * (*xs)[at + 3u * Q + qa];
    }
    (*rhs)[qa] += r;
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
