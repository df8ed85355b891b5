// Column sums and sums of squares of a replicate-major table, one partial per block of BLOCK_ROWS
// rows and column. Rows come in segments (sweep cells) of `segment_rows` rows; a block covers
// BLOCK_ROWS rows of one segment, counted from the segment's start. A partial is
// (shift, Σ(v − shift), Σ(v − shift)², rows) with the block's first value as the shift: f32 sums of
// deviations keep a column that barely varies (or not at all) exact, where Σv² − n·mean² would be
// rounding. The host adds the partials in float64 and in a fixed order (src/core/gpu/reduce.ts), so a
// cell's statistics do not depend on how replicates were chunked or on which other cells ran beside it.
// Two layouts:
//   reduce:        a workgroup per block, a barrier tree per column (GPUs);
//   reduce_serial: an invocation per block and column, the block's rows summed in order (CPU
//                  adapters, where a barrier switches every SIMD batch of the workgroup: W1's 45 000
//                  cells × 11 columns took 3.4 s of trees on llvmpipe).

override WORKGROUP_SIZE: u32 = 256u;  // a power of two; reduce's BLOCK_ROWS
override BLOCK_ROWS: u32 = 256u;
override COLUMNS: u32 = 1u;

struct Params {
  rows: u32,
  groups: u32,  // blocks
  // reduce: workgroups along x; reduce_serial: invocations along x (grids wider than one dimension allows).
  groups_per_row: u32,
  segment_rows: u32,
  blocks_per_segment: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
// Per block and column: (shift, sum of deviations, sum of their squares, rows).
@group(0) @binding(2) var<storage, read_write> partials: array<vec4f>;

var<workgroup> scratch: array<vec2f, WORKGROUP_SIZE>;

/** The block's first row and its rows present (0 for a block past the table's end). */
fn block_rows(group: u32) -> vec2u {
  let segment = group / params.blocks_per_segment;
  let first = (group % params.blocks_per_segment) * BLOCK_ROWS;
  let row0 = segment * params.segment_rows + first;
  if (first >= params.segment_rows || row0 >= params.rows) { return vec2u(row0, 0u); }
  return vec2u(row0, min(min(BLOCK_ROWS, params.segment_rows - first), params.rows - row0));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn reduce(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let group = wid.x + wid.y * params.groups_per_row;
  if (group >= params.groups) { return; }  // the padding of a two-dimensional grid
  let block = block_rows(group);
  let present = lid < block.y;
  for (var c = 0u; c < COLUMNS; c++) {
    var shift = 0.0;
    if (block.y > 0u) { shift = values[block.x * COLUMNS + c]; }
    var d = 0.0;
    if (present) { d = values[(block.x + lid) * COLUMNS + c] - shift; }
    scratch[lid] = vec2f(d, d * d);
    workgroupBarrier();
    for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride >>= 1u) {
      if (lid < stride) { scratch[lid] += scratch[lid + stride]; }
      workgroupBarrier();
    }
    if (lid == 0u) { partials[group * COLUMNS + c] = vec4f(shift, scratch[0], f32(block.y)); }
    workgroupBarrier();
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn reduce_serial(@builtin(global_invocation_id) gid: vec3u) {
  let index = gid.x + gid.y * params.groups_per_row;
  if (index >= params.groups * COLUMNS) { return; }
  let group = index / COLUMNS;
  let c = index % COLUMNS;
  let block = block_rows(group);
  var shift = 0.0;
  if (block.y > 0u) { shift = values[block.x * COLUMNS + c]; }
  // Runs of 16 rows summed, then the runs: f32 rounding grows with the longest chain of adds
  // (32 here, not 256), as the tree's does with its depth.
  var total = vec2f(0.0);
  for (var run = 0u; run < block.y; run += 16u) {
    var partial = vec2f(0.0);
    for (var i = run; i < min(run + 16u, block.y); i++) {
      let d = values[(block.x + i) * COLUMNS + c] - shift;
      partial += vec2f(d, d * d);
    }
    total += partial;
  }
  partials[index] = vec4f(shift, total, f32(block.y));
}
