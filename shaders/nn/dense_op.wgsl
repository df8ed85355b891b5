// The dense operation both kernels specialise (shaders/nn/dense.wgsl for GPUs, dense_reg.wgsl for
// CPU adapters): its uniform (the host's DenseParams words, src/core/nn/gpu.ts) and the overrides
// that pick its transposes and epilogue.

struct DenseParams {
  m: u32, n: u32, k: u32, pad0: u32,
  a_offset: u32, a_stride: u32, a_batch: u32, pad1: u32,
  b_offset: u32, b_stride: u32, b_batch: u32, pad2: u32,
  c_offset: u32, c_stride: u32, c_batch: u32, pad3: u32,
  bias_offset: u32, bias_batch: u32, mask_offset: u32, mask_stride: u32,
  mask_batch: u32, pad4: u32, pad5: u32, pad6: u32,
}

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
// 0 none, 1 ReLU, 2 LeakyReLU(LEAKY_SLOPE): applied to the output, or with MASKED its derivative
// (read at the forward output `mask`, whose sign is the pre-activation's) multiplies the output.
override ACTIVATION: u32 = 0u;
override MASKED: bool = false;
// C += instead of C = (statistics summed over several dispatches).
override ACCUMULATE: bool = false;
override LEAKY_SLOPE: f32 = 0.2;
