// Ridge solve by Cholesky, per thread, on a packed symmetric matrix in private memory.
// A library: shaders/linear/linear.wgsl and shaders/solve.wgsl include it. Twin: src/core/cpu/cholesky.ts.
// The host prepends `const D` (dimension) and `const P = D(D+1)/2`: WGSL sizes private
// arrays only by const-expressions, so these cannot be override constants.

// A pivot at or below this fraction of its diagonal entry means the matrix is singular to
// working precision: the solve is reported as failed instead of producing inf/NaN.
const PIVOT_TOLERANCE: f32 = 1e-5;

// Packed lower triangle, row-major: element (i, j), j ≤ i.
fn packed_index(i: u32, j: u32) -> u32 {
  return i * (i + 1u) / 2u + j;
}

// Solves (A + λI) θ = b. `a` holds A's lower triangle and is overwritten by the factor L;
// `b` is overwritten by θ. Returns false when A + λI is not positive definite.
// Loops marked `// unroll 8` expand whole for D ≤ 8 (src/core/gpu/shader.ts: inner bounds follow the
// expanded index), so a small solve runs on constant indices, in registers.
fn cholesky_solve(a: ptr<function, array<f32, P>>, b: ptr<function, array<f32, D>>, lambda: f32) -> bool {
  for (var j = 0u; j < D; j++) { // unroll 8
    let diagonal = (*a)[packed_index(j, j)] + lambda;
    var pivot = diagonal;
    for (var k = 0u; k < j; k++) { // unroll 8
      let l = (*a)[packed_index(j, k)];
      pivot -= l * l;
    }
    if (!(pivot > PIVOT_TOLERANCE * diagonal)) { return false; }
    let l_jj = sqrt(pivot);
    (*a)[packed_index(j, j)] = l_jj;
    for (var i = j + 1u; i < D; i++) { // unroll 8
      var s = (*a)[packed_index(i, j)];
      for (var k = 0u; k < j; k++) { // unroll 8
        s -= (*a)[packed_index(i, k)] * (*a)[packed_index(j, k)];
      }
      (*a)[packed_index(i, j)] = s / l_jj;
    }
  }
  // L z = b, then Lᵀ θ = z (row i = D − 1 − step, its terms k = D − 1 − m for m < step).
  for (var i = 0u; i < D; i++) { // unroll 8
    var s = (*b)[i];
    for (var k = 0u; k < i; k++) { // unroll 8
      s -= (*a)[packed_index(i, k)] * (*b)[k];
    }
    (*b)[i] = s / (*a)[packed_index(i, i)];
  }
  for (var step = 0u; step < D; step++) { // unroll 8
    let i = D - 1u - step;
    var s = (*b)[i];
    for (var m = 0u; m < step; m++) { // unroll 8
      let k = D - 1u - m;
      s -= (*a)[packed_index(k, i)] * (*b)[k];
    }
    (*b)[i] = s / (*a)[packed_index(i, i)];
  }
  return true;
}
