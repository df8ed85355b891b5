// Proof that an adapter's kernels really run (some backends hand out adapters whose
// dispatches are no-ops): every thread writes a value the host can predict.
// Host: src/gpu/device.ts.

@group(0) @binding(0) var<storage, read_write> output: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  output[gid.x] = random_words(vec2u(gid.x, 7u), gid.x, 1u, STREAM_DIAGNOSTICS, 3u).x;
}
