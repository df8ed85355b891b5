// Batched dense layer for SIMD CPU adapters (llvmpipe, SwiftShader): the same operation as
// shaders/nn/dense.wgsl (C[r] = epilogue(op(A[r]) · op(B[r]))), without workgroup memory. Each
// invocation keeps a TM × TN block of C in registers and reads its operands straight from storage,
// four values per load (`array<vec4f>` bindings): a CPU adapter turns every load whose address
// differs between SIMD lanes into a per-lane loop, so a vec4 load costs about what a scalar one
// does, and TM · TN / (TM + TN) multiply-adds per value loaded is what sets the rate.
// Operands are read along whichever dimension they are contiguous in (k for A and for Bᵀ, m for
// Aᵀ, n for B). Where the host knows an operand's offset, batch stride and row stride are multiples
// of four (ALIGNED_A / ALIGNED_B), a vec4 is one aligned load; otherwise two aligned loads and a
// per-lane shift. Rows and columns past m, n are read (robust reads stay inside the buffer) and
// their results dropped; the last, partial step of k zeroes both operands past k.
// Its uniform and overrides: shaders/nn/dense_op.wgsl. Host: src/core/nn/gpu.ts (consts TM, TN,
// MG = TM / 4, NG = TN / 4); twin: src/core/nn/twin.ts.

override ALIGNED_A: bool = false;
override ALIGNED_B: bool = false;
// Invocations per workgroup along n (x) and m (y).
override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;

@group(0) @binding(0) var<uniform> p: DenseParams;
@group(0) @binding(1) var<storage, read> a: array<vec4f>;
@group(0) @binding(2) var<storage, read> b: array<vec4f>;
#if VEC_C
@group(0) @binding(3) var<storage, read_write> c: array<vec4f>;
@group(0) @binding(4) var<storage, read> bias: array<vec4f>;
@group(0) @binding(5) var<storage, read> mask: array<vec4f>;
#else
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read> mask: array<f32>;
#endif

// Elements 4q + s .. 4q + s + 3 from the vec4s at q and q + 1.
fn shift(lo: vec4f, hi: vec4f, s: u32) -> vec4f {
  return select(select(select(vec4f(lo.w, hi.xyz), vec4f(lo.zw, hi.xy), s == 2u), vec4f(lo.yzw, hi.x), s == 1u), lo, s == 0u);
}

// Rows row0 .. row0 + TM - 1 of op(A) at depths k0 .. k0 + 3: one vec4 per row (over depth). Read
// along m (Aᵀ stored): TM / 4 loads per depth, one more where unaligned. Read along k: one load per
// row; unaligned, each row's previous load is carried in `lo` (its next four values start there).
fn load_a(base: u32, row0: u32, k0: u32, lo: ptr<function, array<vec4f, TM>>) -> array<vec4f, TM> {
  var v: array<vec4f, TM>;
  if (TRANS_A) {
    for (var t = 0u; t < 4u; t++) { // unroll
      let e = base + (k0 + t) * p.a_stride + row0;
      let q = e >> 2u;
      var w = a[q];
      for (var g = 0u; g < MG; g++) { // unroll 4
        var x = w;
        if (!ALIGNED_A) {
          w = a[q + g + 1u];
          x = shift(x, w, e & 3u);
        } else if (g + 1u < MG) {
          w = a[q + g + 1u];
        }
        v[4u * g][t] = x.x;
        v[4u * g + 1u][t] = x.y;
        v[4u * g + 2u][t] = x.z;
        v[4u * g + 3u][t] = x.w;
      }
    }
  } else {
    for (var i = 0u; i < TM; i++) { // unroll 16
      let e = base + (row0 + i) * p.a_stride + k0;
      if (ALIGNED_A) {
        v[i] = a[e >> 2u];
      } else {
        let hi = a[(e >> 2u) + 1u];
        v[i] = shift((*lo)[i], hi, e & 3u);
        (*lo)[i] = hi;
      }
    }
  }
  return v;
}

// Columns col0 .. col0 + TN - 1 of op(B) at depths k0 .. k0 + 3: one vec4 per column (over depth),
// read along n (B) or k (Bᵀ stored), as load_a.
fn load_b(base: u32, col0: u32, k0: u32, lo: ptr<function, array<vec4f, TN>>) -> array<vec4f, TN> {
  var v: array<vec4f, TN>;
  if (TRANS_B) {
    for (var j = 0u; j < TN; j++) { // unroll 16
      let e = base + (col0 + j) * p.b_stride + k0;
      if (ALIGNED_B) {
        v[j] = b[e >> 2u];
      } else {
        let hi = b[(e >> 2u) + 1u];
        v[j] = shift((*lo)[j], hi, e & 3u);
        (*lo)[j] = hi;
      }
    }
  } else {
    for (var t = 0u; t < 4u; t++) { // unroll
      let e = base + (k0 + t) * p.b_stride + col0;
      let q = e >> 2u;
      var w = b[q];
      for (var g = 0u; g < NG; g++) { // unroll 4
        var x = w;
        if (!ALIGNED_B) {
          w = b[q + g + 1u];
          x = shift(x, w, e & 3u);
        } else if (g + 1u < NG) {
          w = b[q + g + 1u];
        }
        v[4u * g][t] = x.x;
        v[4u * g + 1u][t] = x.y;
        v[4u * g + 2u][t] = x.z;
        v[4u * g + 3u][t] = x.w;
      }
    }
  }
  return v;
}

fn epilogue(value: vec4f, m: vec4f) -> vec4f {
  if (MASKED) {
    let slope = select(0.0, LEAKY_SLOPE, ACTIVATION == 2u);
    return value * select(vec4f(slope), vec4f(1.0), m > vec4f(0.0));
  } else if (ACTIVATION == 1u) {
    return max(value, vec4f(0.0));
  } else if (ACTIVATION == 2u) {
    return select(LEAKY_SLOPE * value, value, value > vec4f(0.0));
  }
  return value;
}

#if VEC_C
// Columns col .. col + 3 of a row (C's offsets and strides, the bias's and the mask's are multiples
// of four, and so is n).
fn finish(r: u32, row: u32, col: u32, value: vec4f) {
  if (row >= p.m || col >= p.n) { return; }
  var v = value;
  if (HAS_BIAS) { v += bias[(p.bias_offset + r * p.bias_batch + col) >> 2u]; }
  let at = (p.c_offset + r * p.c_batch + row * p.c_stride + col) >> 2u;
  if (ACCUMULATE) { v += c[at]; }
  var m = vec4f(0.0);
  if (MASKED) { m = mask[(p.mask_offset + r * p.mask_batch + row * p.mask_stride + col) >> 2u]; }
  c[at] = epilogue(v, m);
}
#else
fn finish(r: u32, row: u32, col: u32, value: vec4f) {
  if (row >= p.m) { return; }
  for (var j = 0u; j < 4u; j++) { // unroll
    if (col + j < p.n) {
      var v = value[j];
      if (HAS_BIAS) { v += bias[p.bias_offset + r * p.bias_batch + col + j]; }
      let at = p.c_offset + r * p.c_batch + row * p.c_stride + col + j;
      if (ACCUMULATE) { v += c[at]; }
      var m = 0.0;
      if (MASKED) { m = mask[p.mask_offset + r * p.mask_batch + row * p.mask_stride + col + j]; }
      c[at] = epilogue(vec4f(v), vec4f(m)).x;
    }
  }
}
#endif

@compute @workgroup_size(WG_X, WG_Y, 1)
fn dense(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let r = wg.z;
  let row0 = (wg.y * WG_Y + lid.y) * TM;
  let col0 = (wg.x * WG_X + lid.x) * TN;
  let a_base = p.a_offset + r * p.a_batch;
  let b_base = p.b_offset + r * p.b_batch;
  var acc: array<vec4f, TM * NG>;
  // Unaligned reads along k carry each row's (column's) last vec4.
  var a_lo: array<vec4f, TM>;
  var b_lo: array<vec4f, TN>;
  if (!TRANS_A && !ALIGNED_A) {
    for (var i = 0u; i < TM; i++) { // unroll 16
      a_lo[i] = a[(a_base + (row0 + i) * p.a_stride) >> 2u];
    }
  }
  if (TRANS_B && !ALIGNED_B) {
    for (var j = 0u; j < TN; j++) { // unroll 16
      b_lo[j] = b[(b_base + (col0 + j) * p.b_stride) >> 2u];
    }
  }
  let k = p.k;
  var k0 = 0u;
  for (; k0 + 4u <= k; k0 += 4u) {
    let av = load_a(a_base, row0, k0, &a_lo);
    let bv = load_b(b_base, col0, k0, &b_lo);
    for (var i = 0u; i < TM; i++) { // unroll 16
      for (var g = 0u; g < NG; g++) { // unroll 4
        for (var t = 0u; t < 4u; t++) { // unroll
          acc[i * NG + g] = fma(vec4f(av[i][t]), vec4f(bv[4u * g][t], bv[4u * g + 1u][t], bv[4u * g + 2u][t], bv[4u * g + 3u][t]), acc[i * NG + g]);
        }
      }
    }
  }
  if (k0 < k) {
    // The last 1–3 depths: both operands zeroed past k (what was read there may be anything).
    let live = vec4<bool>(true, k0 + 1u < k, k0 + 2u < k, false);
    var av = load_a(a_base, row0, k0, &a_lo);
    var bv = load_b(b_base, col0, k0, &b_lo);
    for (var i = 0u; i < TM; i++) { // unroll 16
      av[i] = select(vec4f(0.0), av[i], live);
    }
    for (var j = 0u; j < TN; j++) { // unroll 16
      bv[j] = select(vec4f(0.0), bv[j], live);
    }
    for (var i = 0u; i < TM; i++) { // unroll 16
      for (var g = 0u; g < NG; g++) { // unroll 4
        for (var t = 0u; t < 3u; t++) { // unroll
          acc[i * NG + g] = fma(vec4f(av[i][t]), vec4f(bv[4u * g][t], bv[4u * g + 1u][t], bv[4u * g + 2u][t], bv[4u * g + 3u][t]), acc[i * NG + g]);
        }
      }
    }
  }
  for (var i = 0u; i < TM; i++) { // unroll 16
    for (var g = 0u; g < NG; g++) { // unroll 4
      finish(r, row0 + i, col0 + 4u * g, acc[i * NG + g]);
    }
  }
}
