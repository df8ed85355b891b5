// Words [offset, offset + words) of every row of a per-replicate state buffer (rows of `stride`
// words), packed row after row: `gather` copies them out for a snapshot's read-back, `scatter`
// back in to restore one, so neither moves the rest of a row (Gram scratch, a factor), which can
// be many times larger than what a replicate carries to the next generation.
// Host: src/core/gpu/state.ts.

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  rows: u32,
  stride: u32,
  words: u32,
  offset: u32,
  row_pitch: u32,  // threads per grid row
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> state: array<u32>;
@group(0) @binding(2) var<storage, read_write> packed: array<u32>;

// Word i of the packed table is word i mod words of row ⌊i / words⌋; false past the table's end.
fn locate(gid: vec3u, at: ptr<function, vec2u>) -> bool {
  let i = gid.x + gid.y * params.row_pitch;
  if (i >= params.rows * params.words) { return false; }
  *at = vec2u(i, (i / params.words) * params.stride + params.offset + i % params.words);
  return true;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn gather(@builtin(global_invocation_id) gid: vec3u) {
  var at: vec2u;
  if (locate(gid, &at)) { packed[at.x] = state[at.y]; }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn scatter(@builtin(global_invocation_id) gid: vec3u) {
  var at: vec2u;
  if (locate(gid, &at)) { state[at.y] = packed[at.x]; }
}
