// Proof that an adapter's kernels really run (some backends hand out adapters whose
// dispatches are no-ops): every thread writes a value the host can predict.
// Host: src/core/gpu/device.ts.

@group(0) @binding(0) var<storage, read_write> output: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  output[gid.x] = random_words(vec2u(gid.x, 7u), gid.x, 1u, STREAM_DIAGNOSTICS, 3u).x;
}

// Some software adapters end every loop of an invocation after a fixed total of
// iterations (Mesa llvmpipe: 65535) without any error. This counts how many iterations
// of `iterations` really run, so the planner can split long loops across dispatches.
struct LoopProbe { iterations: u32 }
@group(0) @binding(1) var<uniform> loop_probe_params: LoopProbe;

@compute @workgroup_size(1)
fn loop_probe() {
  var count = 0u;
  for (var i = 0u; i < loop_probe_params.iterations; i++) { count += 1u; }
  output[0] = count;
}
