// Tensor-program kernels that are not matrix products: bias gradients (column sums), Adam, uniform
// initialisation from addressed random words, and the step counter. One replicate per z.
// Host: src/core/nn/gpu.ts; twin: src/core/nn/twin.ts.

struct VectorParams {
  count: u32, rows: u32, src_offset: u32, src_stride: u32,
  src_batch: u32, dst_offset: u32, dst_batch: u32, extra: u32,
  f0: f32, f1: f32, f2: f32, f3: f32,
}

@group(0) @binding(0) var<uniform> p: VectorParams;
@group(0) @binding(1) var<storage, read_write> context: NnContext;
@group(0) @binding(2) var<storage, read_write> src: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;
@group(0) @binding(4) var<storage, read_write> moment1: array<f32>;
@group(0) @binding(5) var<storage, read_write> moment2: array<f32>;

override WORKGROUP_SIZE: u32 = 64u;

// dst[col] (+)= Σ_row src[row, col]: a bias's gradient. `extra` = 1 accumulates.
@compute @workgroup_size(WORKGROUP_SIZE)
fn column_sum(@builtin(global_invocation_id) gid: vec3u) {
  let col = gid.x;
  if (col >= p.count) { return; }
  let base = p.src_offset + gid.z * p.src_batch + col;
  var sum = 0.0;
  for (var row = 0u; row < p.rows; row++) {
    sum += src[base + row * p.src_stride];
  }
  let at = p.dst_offset + gid.z * p.dst_batch + col;
  dst[at] = select(sum, dst[at] + sum, p.extra == 1u);
}

// Adam (Kingma & Ba 2015) with bias correction at step t = context.step + 1; `dst` the parameters,
// `src` their gradients; f0 = learning rate, f1 = β₁, f2 = β₂, f3 = ε.
@compute @workgroup_size(WORKGROUP_SIZE)
fn adam(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= p.count) { return; }
  let at = gid.z * p.dst_batch + p.dst_offset + i;
  let g = src[gid.z * p.src_batch + p.src_offset + i];
  let m = p.f1 * moment1[at] + (1.0 - p.f1) * g;
  let v = p.f2 * moment2[at] + (1.0 - p.f2) * g * g;
  moment1[at] = m;
  moment2[at] = v;
  let t = f32(context.step + 1u);
  let m_hat = m / (1.0 - pow(p.f1, t));
  let v_hat = v / (1.0 - pow(p.f2, t));
  dst[at] -= p.f0 * m_hat / (sqrt(v_hat) + p.f3);
}

// dst[i] = f0 · U[-1, 1) for i < count, from the words at (replicate, round, `extra` (the stream),
// src_offset + ⌊i / 4⌋): PyTorch's default Linear initialisation with f0 = 1/√fan_in. Moments zeroed.
@compute @workgroup_size(WORKGROUP_SIZE)
fn initialise(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= p.count) { return; }
  let words = random_words(context.key, context.replicate_base + gid.z, context.round, p.extra, p.src_offset + i / 4u);
  let at = gid.z * p.dst_batch + p.dst_offset + i;
  dst[at] = p.f0 * symmetric_unit(words[i % 4u]);
  moment1[at] = 0.0;
  moment2[at] = 0.0;
}

// The optimiser's step, advanced after each training step; `extra` = 1 restarts it at 0.
@compute @workgroup_size(1)
fn tick() {
  context.step = select(context.step + 1u, 0u, p.extra == 1u);
}
