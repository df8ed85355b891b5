// Batched dense layer, one replicate per workgroup z: C[r] = epilogue(op(A[r]) · op(B[r])), where
// op transposes a stored row-major matrix when TRANS_A / TRANS_B. The forward pass is X·W (+ bias,
// activation); the backward pass is dY·Wᵀ (times the activation's derivative at the forward output,
// MASKED) and Xᵀ·dY (weight gradients). A 32 × 32 tile of C per workgroup of 8 × 8 threads, each
// thread 4 × 4 outputs, over 16-deep slices of K staged in workgroup memory.
// Its uniform and overrides: shaders/nn/dense_op.wgsl. Host: src/core/nn/gpu.ts; twin: src/core/nn/twin.ts.

@group(0) @binding(0) var<uniform> p: DenseParams;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read> mask: array<f32>;

const TILE: u32 = 32u;
const DEPTH: u32 = 16u;
// [kk · 8 + i]: four consecutive rows of op(A) (columns of op(B)) at depth kk.
var<workgroup> tile_a: array<vec4f, 128>;
var<workgroup> tile_b: array<vec4f, 128>;

fn a_at(r: u32, row: u32, col: u32) -> f32 {
  if (row >= p.m || col >= p.k) { return 0.0; }
  let at = select(row * p.a_stride + col, col * p.a_stride + row, TRANS_A);
  return a[p.a_offset + r * p.a_batch + at];
}

fn b_at(r: u32, row: u32, col: u32) -> f32 {
  if (row >= p.k || col >= p.n) { return 0.0; }
  let at = select(row * p.b_stride + col, col * p.b_stride + row, TRANS_B);
  return b[p.b_offset + r * p.b_batch + at];
}

fn finish(r: u32, row: u32, col: u32, value: f32) {
  if (row >= p.m || col >= p.n) { return; }
  var v = value;
  if (HAS_BIAS) { v += bias[p.bias_offset + r * p.bias_batch + col]; }
  let at = p.c_offset + r * p.c_batch + row * p.c_stride + col;
  if (ACCUMULATE) { v += c[at]; }
  if (MASKED) {
    let slope = select(0.0, LEAKY_SLOPE, ACTIVATION == 2u);
    v *= select(slope, 1.0, mask[p.mask_offset + r * p.mask_batch + row * p.mask_stride + col] > 0.0);
  } else if (ACTIVATION == 1u) {
    v = max(v, 0.0);
  } else if (ACTIVATION == 2u) {
    v = select(LEAKY_SLOPE * v, v, v > 0.0);
  }
  c[at] = v;
}

@compute @workgroup_size(8, 8, 1)
fn dense(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let r = wg.z;
  let m0 = wg.y * TILE;
  let n0 = wg.x * TILE;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k0 = 0u; k0 < p.k; k0 += DEPTH) {
    for (var e = li; e < 128u; e += 64u) {
      let kk = k0 + (e >> 3u);
      let row = m0 + (e & 7u) * 4u;
      tile_a[e] = vec4f(a_at(r, row, kk), a_at(r, row + 1u, kk), a_at(r, row + 2u, kk), a_at(r, row + 3u, kk));
      let col = n0 + (e & 7u) * 4u;
      tile_b[e] = vec4f(b_at(r, kk, col), b_at(r, kk, col + 1u), b_at(r, kk, col + 2u), b_at(r, kk, col + 3u));
    }
    workgroupBarrier();
    for (var kk = 0u; kk < DEPTH; kk++) {
      let av = tile_a[kk * 8u + lid.y];
      let bv = tile_b[kk * 8u + lid.x];
      acc0 = fma(vec4f(av.x), bv, acc0);
      acc1 = fma(vec4f(av.y), bv, acc1);
      acc2 = fma(vec4f(av.z), bv, acc2);
      acc3 = fma(vec4f(av.w), bv, acc3);
    }
    workgroupBarrier();
  }
  let row = m0 + lid.y * 4u;
  let col = n0 + lid.x * 4u;
  let rows = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) {
      finish(r, row + i, col + j, rows[i][j]);
    }
  }
}
