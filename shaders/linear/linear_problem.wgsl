// What both layouts of the linear kernel share (a library: shaders/linear/linear.wgsl, one thread per
// replicate, and shaders/linear/linear_wide.wgsl, the cooperative layout for d > 16, include it): their
// params, bindings, the problem and per-cell layout, and the head of the per-replicate state.
// Host: src/models/linear/gpu.ts. Needs the prepended const Q = ⌈d/4⌉.

// State per replicate, in vec4s, starting θ̂ (Q) | (failed, fit count, accepted, offered) | rhs (Q) |
// Gram (4Q rows of Q vec4s, blocks on or below the diagonal used); each layout may keep more after.
const STATE_FLAGS: u32 = Q;
const STATE_RHS: u32 = Q + 1u;
const STATE_GRAM: u32 = 2u * Q + 1u;

struct Params {
  key: vec2u,
  generation: u32,
  inputs_generation: u32,
  // Global thread index of this chunk's first replicate, replicates in the chunk, replicates per cell.
  chunk_offset: u32,
  rows: u32,
  replicates_per_cell: u32,
  // This dispatch's sample block (each cell clamps it to its own sample count).
  sample_begin: u32,
  sample_end: u32,
  // Start the sums from zero at this generation's first block (all modes but accumulate).
  reset_sums: u32,
  // Replicates per row of the dispatch grid.
  row_pitch: u32,
  // Replicate r of a cell draws the words of replicate replicate_base + r: a shard's first
  // replicate (src/core/engine/shard.ts), 0 in a whole run.
  replicate_base: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// θ* | √diag Σ | diag Σ (Q vec4s each, zero-padded past D), then per cell CELL_VEC4S vec4s:
// (samples, real samples, σ real, σ synthetic) | (λ, radius, slack, fit flags) | θ_c (Q), the fit flags
// being 1 (verify) + 2 (minimum-norm fit: plan.ts's minimumNorm, decided on the host where λ is exact).
// Counts are stored as f32 values (exact below 2^24, the spec's cap), not as u32 bits: small
// integers' bit patterns are f32 denormals, which some adapters flush to zero on load.
@group(0) @binding(1) var<storage, read> problem: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> state: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> metrics: array<f32>;

const CELLS_START: u32 = 3u * Q;
const CELL_VEC4S: u32 = 2u + Q;

struct Cell {
  samples: u32,
  real_samples: u32,
  sigma_real: f32,
  sigma_synthetic: f32,
  ridge_lambda: f32,
  radius: f32,
  slack: f32,
  verify: bool,
  minimum_norm: bool,
  base: u32,  // index of the cell's θ_c in `problem`
}

fn load_cell(cell: u32) -> Cell {
  let at = CELLS_START + cell * CELL_VEC4S;
  let a = problem[at];
  let b = problem[at + 1u];
  let flags = u32(b.w);
  return Cell(u32(a.x), u32(a.y), a.z, a.w, b.x, b.y, b.z, (flags & 1u) != 0u, (flags & 2u) != 0u, at + 2u);
}
