// The state every tensor-program kernel reads (src/core/nn/gpu.ts): the run's key, the round (the
// counter's generation word), the first replicate of this chunk (a shard's or chunk's base, so a
// replicate's words do not depend on how replicates are chunked), and the optimiser's step, which
// the `tick` kernel advances on the device so a phase's steps need no host writes.
struct NnContext {
  key: vec2u,
  round: u32,
  replicate_base: u32,
  step: u32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
}

// Uniform in [-1, 1) from a word's top 24 bits.
fn symmetric_unit(word: u32) -> f32 {
  return f32(word >> 8u) * 1.1920928955078125e-7 - 1.0;
}
