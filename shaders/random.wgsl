// Counter-based random words (Random123: Salmon, Moraes, Dror & Shaw, SC'11) and the
// uniform / normal transforms. A library: kernels include it; it has no entry point.
// Twin: src/core/cpu/random.ts (bit-identical words). Host: src/core/gpu/shader.ts picks the
// generator with the PHILOX flag and prepends the STREAM_* constants from src/core/random/address.ts.

// High and low 32 bits of a·b. WGSL has no 32×32→64 multiply, so the high word is
// assembled from 16-bit halves (every partial product fits in u32).
fn mulhilo32(a: u32, b: u32) -> vec2u {
  let aH = a >> 16u; let aL = a & 0xffffu;
  let bH = b >> 16u; let bL = b & 0xffffu;
  let low = aL * bL;
  let cross1 = aH * bL;
  let cross2 = aL * bH;
  let mid = (low >> 16u) + (cross1 & 0xffffu) + (cross2 & 0xffffu);
  let hi = aH * bH + (cross1 >> 16u) + (cross2 >> 16u) + (mid >> 16u);
  return vec2u(hi, a * b);
}

fn philox4x32_10(counter: vec4u, key_in: vec2u) -> vec4u {
  var x = counter;
  var key = key_in;
  for (var round = 0u; round < 10u; round++) {
    let p0 = mulhilo32(0xd2511f53u, x.x);
    let p1 = mulhilo32(0xcd9e8d57u, x.z);
    x = vec4u(p1.x ^ x.y ^ key.x, p1.y, p0.x ^ x.w ^ key.y, p0.y);
    key += vec2u(0x9e3779b9u, 0xbb67ae85u);
  }
  return x;
}

fn rotl32(x: u32, r: u32) -> u32 {
  return (x << r) | (x >> (32u - r));
}

// Two Threefry rounds (an even one mixing (0,1),(2,3) then an odd one mixing (0,3),(2,1)).
fn threefry_round_pair(x_in: vec4u, ra: u32, rb: u32, rc: u32, rd: u32) -> vec4u {
  var x = x_in;
  x.x += x.y; x.y = rotl32(x.y, ra) ^ x.x;
  x.z += x.w; x.w = rotl32(x.w, rb) ^ x.z;
  x.x += x.w; x.w = rotl32(x.w, rc) ^ x.x;
  x.z += x.y; x.y = rotl32(x.y, rd) ^ x.z;
  return x;
}

fn threefry4x32_20(counter: vec4u, key: vec4u) -> vec4u {
  let parity = 0x1bd11bdau ^ key.x ^ key.y ^ key.z ^ key.w;
  let ks0 = key;
  let ks1 = vec4u(key.y, key.z, key.w, parity);
  let ks2 = vec4u(key.z, key.w, parity, key.x);
  let ks3 = vec4u(key.w, parity, key.x, key.y);
  let ks4 = vec4u(parity, key.x, key.y, key.z);
  // Rotation constants R_32x4; a key injection every four rounds.
  var x = counter + ks0;
  x = threefry_round_pair(x, 10u, 26u, 11u, 21u);
  x = threefry_round_pair(x, 13u, 27u, 23u, 5u) + ks1 + vec4u(0u, 0u, 0u, 1u);
  x = threefry_round_pair(x, 6u, 20u, 17u, 11u);
  x = threefry_round_pair(x, 25u, 10u, 18u, 20u) + ks2 + vec4u(0u, 0u, 0u, 2u);
  x = threefry_round_pair(x, 10u, 26u, 11u, 21u);
  x = threefry_round_pair(x, 13u, 27u, 23u, 5u) + ks3 + vec4u(0u, 0u, 0u, 3u);
  x = threefry_round_pair(x, 6u, 20u, 17u, 11u);
  x = threefry_round_pair(x, 25u, 10u, 18u, 20u) + ks4 + vec4u(0u, 0u, 0u, 4u);
  x = threefry_round_pair(x, 10u, 26u, 11u, 21u);
  x = threefry_round_pair(x, 13u, 27u, 23u, 5u) + ks0 + vec4u(0u, 0u, 0u, 5u);
  return x;
}

// The four words at address (replicate, generation, stream, index) under a 64-bit key.
fn random_words(key: vec2u, replicate: u32, generation: u32, stream: u32, index: u32) -> vec4u {
  let counter = vec4u(replicate, generation, stream, index);
#if PHILOX
  return philox4x32_10(counter, key);
#else
  return threefry4x32_20(counter, vec4u(key, 0u, 0u));
#endif
}

// Top 23 bits as (k + 1/2)·2^-23: strictly inside (0, 1) and exact in f32.
fn uniform_open01(word: u32) -> f32 {
  return (f32(word >> 9u) + 0.5) * 1.1920928955078125e-7;
}

// Box–Muller; the angle lies in [-pi, pi), where WGSL's sin/cos accuracy is specified.
// (cos, sin) is renormalised to unit length: WGSL allows sin/cos an absolute error of 2^-11, and
// some adapters (SwiftShader) use that room with a systematic scale, which would bias E z² by
// ~1e-4 and compound over generations of refitting; the twin does the same (a no-op in float64).
fn box_muller(w0: u32, w1: u32) -> vec2f {
  let radius = sqrt(-2.0 * log(uniform_open01(w0)));
  let angle = 6.283185307179586 * (uniform_open01(w1) - 0.5);
  let direction = vec2f(cos(angle), sin(angle));
  return radius * inverseSqrt(dot(direction, direction)) * direction;
}

fn normals4(words: vec4u) -> vec4f {
  return vec4f(box_muller(words.x, words.y), box_muller(words.z, words.w));
}
