// The MNIST conditional-VAE loop's operations besides dense layers (docs/science.md, "MNIST"):
// batches of binary images, the reparameterisation, loss gradients, Bernoulli sampling, the
// verifier's top-k filter and per-row metrics. Each entry point is a custom op of a tensor program
// (src/core/nn/program.ts), built and twinned in src/models/mnist-cvae/ops.ts (same words, same
// order). Bindings: 0 the op's words, 1 the NnContext, then its tensors. Thread x is the op's work
// item, z the chunk's replicate; tensors hold one copy per replicate (`size` words apart) unless shared.
// Images: 784 pixels; packed, 25 u32 (pixel p in bit p mod 32 of word p / 32; the label in bits 16–19
// of word 24); grayscale, 196 u32 of four bytes.

@group(0) @binding(0) var<uniform> op_words: array<vec4u, 4>;
@group(0) @binding(1) var<storage, read> context: NnContext;

override WORKGROUP_SIZE: u32 = 64u;

const PIXELS: u32 = 784u;
const QUADS: u32 = 196u;
const PACKED: u32 = 25u;
const CLASSES: u32 = 10u;

fn word(i: u32) -> u32 { return op_words[i / 4u][i % 4u]; }
fn word_f32(i: u32) -> f32 { return bitcast<f32>(word(i)); }

fn words_at(replicate: u32, stream: u32, index: u32) -> vec4u {
  return random_words(context.key, context.replicate_base + replicate, context.round, stream, index);
}

// ⌊word · count / 2³²⌋: a uniform index in [0, count), exact in integers.
fn index_below(w: u32, count: u32) -> u32 { return mulhilo32(w, count).x; }

fn sigmoid(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }

// log(1 + eˣ), stable for large |x|.
fn softplus(x: f32) -> f32 { return max(x, 0.0) + log(1.0 + exp(-abs(x))); }

// ---- gather: rows of x from packed binary images or grayscale ones binarised on the fly ----------
// words: 0 rows, 1 x stride, 2 x size, 3 x first row, 4 mode (0 mix: real with probability
// threshold/2³², 1 packed in order from step·rows, 2 real only), 5 packed count, 6 packed size (0 if
// shared), 7 real count, 8 real threshold, 9 index stream, 10 binarise stream, 11 one-hot columns (0/1).
@group(0) @binding(2) var<storage, read_write> gather_x: array<f32>;
@group(0) @binding(3) var<storage, read_write> gather_packed: array<u32>;
@group(0) @binding(4) var<storage, read_write> gather_gray: array<u32>;
@group(0) @binding(5) var<storage, read_write> gather_labels: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn gather(@builtin(global_invocation_id) gid: vec3u) {
  let rows = word(0u);
  let t = gid.x;
  if (t >= rows * QUADS) { return; }
  let row = t / QUADS;
  let q = t % QUADS;
  let z = gid.z;
  let mode = word(4u);
  let draw = context.step * rows + row;
  var real = mode == 2u;
  var index = 0u;
  if (mode == 1u) {
    index = draw % word(5u);
  } else {
    let w = words_at(z, word(9u), draw);
    real = real || w.y < word(8u);
    index = index_below(w.x, select(word(5u), word(7u), real));
  }
  var bits = vec4f(0.0);
  var label = 0u;
  if (real) {
    let gray = gather_gray[index * QUADS + q];
    let coins = words_at(z, word(10u), draw * QUADS + q);
    for (var j = 0u; j < 4u; j++) {
      bits[j] = select(0.0, 1.0, coins[j] < ((gray >> (8u * j)) & 0xffu) * 0x01010101u);
    }
    label = gather_labels[index];
  } else {
    let base = z * word(6u) + index * PACKED;
    let packed = gather_packed[base + q / 8u];
    for (var j = 0u; j < 4u; j++) {
      bits[j] = f32((packed >> ((4u * q + j) % 32u)) & 1u);
    }
    label = (gather_packed[base + 24u] >> 16u) & 0xfu;
  }
  let at = z * word(2u) + (word(3u) + row) * word(1u);
  for (var j = 0u; j < 4u; j++) { gather_x[at + 4u * q + j] = bits[j]; }
  if (q == 0u && word(11u) == 1u) {
    for (var c = 0u; c < CLASSES; c++) { gather_x[at + PIXELS + c] = select(0.0, 1.0, c == label); }
  }
}

// ---- reparameterise: z = μ + exp(½ log σ²)·ε, ε kept for the backward pass; the label follows ------
// words: 0 rows, 1 latent, 2 enc size, 3 eps size, 4 zin size, 5 x size, 6 x stride, 7 stream, 8 quads.
@group(0) @binding(2) var<storage, read_write> rep_enc: array<f32>;
@group(0) @binding(3) var<storage, read_write> rep_eps: array<f32>;
@group(0) @binding(4) var<storage, read_write> rep_zin: array<f32>;
@group(0) @binding(5) var<storage, read_write> rep_x: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn reparameterise(@builtin(global_invocation_id) gid: vec3u) {
  let rows = word(0u);
  let latent = word(1u);
  let quads = word(8u);
  if (gid.x >= rows * quads) { return; }
  let row = gid.x / quads;
  let q = gid.x % quads;
  let z = gid.z;
  let e = normals4(words_at(z, word(7u), (context.step * rows + row) * quads + q));
  let enc = z * word(2u) + row * 2u * latent;
  let zin = z * word(4u) + row * (latent + CLASSES);
  for (var j = 0u; j < 4u; j++) {
    let d = 4u * q + j;
    if (d < latent) {
      rep_eps[z * word(3u) + row * latent + d] = e[j];
      rep_zin[zin + d] = rep_enc[enc + d] + exp(0.5 * rep_enc[enc + latent + d]) * e[j];
    }
  }
  if (q == 0u) {
    let x = z * word(5u) + row * word(6u) + PIXELS;
    for (var c = 0u; c < CLASSES; c++) { rep_zin[zin + latent + c] = rep_x[x + c]; }
  }
}

// ---- prior: z ~ N(0, I) and a label — class-major (row / per-class) or drawn ------------------------
// words: 0 rows, 1 latent, 2 zin size, 3 zin first row, 4 stream, 5 drawn labels (0/1), 6 rows per class, 7 quads.
@group(0) @binding(2) var<storage, read_write> prior_zin: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn prior(@builtin(global_invocation_id) gid: vec3u) {
  let rows = word(0u);
  let latent = word(1u);
  let quads = word(7u);
  if (gid.x >= rows * quads) { return; }
  let row = gid.x / quads;
  let q = gid.x % quads;
  let z = gid.z;
  let first = (context.step * rows + row) * (quads + 1u);
  let e = normals4(words_at(z, word(4u), first + q));
  let zin = z * word(2u) + (word(3u) + row) * (latent + CLASSES);
  for (var j = 0u; j < 4u; j++) {
    if (4u * q + j < latent) { prior_zin[zin + 4u * q + j] = e[j]; }
  }
  if (q == 0u) {
    var label = (row / word(6u)) % CLASSES;
    if (word(5u) == 1u) { label = index_below(words_at(z, word(4u), first + quads).x, CLASSES); }
    for (var c = 0u; c < CLASSES; c++) { prior_zin[zin + latent + c] = select(0.0, 1.0, c == label); }
  }
}

// ---- Bernoulli loss gradient at the logits: (σ(l) − x) · scale -------------------------------------
// words: 0 rows, 1 logits size, 2 x size, 3 x stride, 4 scale (f32), 5 grad size.
@group(0) @binding(2) var<storage, read_write> bg_logits: array<f32>;
@group(0) @binding(3) var<storage, read_write> bg_x: array<f32>;
@group(0) @binding(4) var<storage, read_write> bg_grad: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn bernoulli_grad(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= word(0u) * PIXELS) { return; }
  let row = gid.x / PIXELS;
  let p = gid.x % PIXELS;
  bg_grad[gid.z * word(5u) + gid.x] = (sigmoid(bg_logits[gid.z * word(1u) + gid.x]) - bg_x[gid.z * word(2u) + row * word(3u) + p]) * word_f32(4u);
}

// ---- gradient at the encoder's output: the decoder's through z, plus the KL term's ---------------
// words: 0 rows, 1 latent, 2 enc size, 3 eps size, 4 dzin size, 5 denc size, 6 scale (f32).
@group(0) @binding(2) var<storage, read_write> lg_enc: array<f32>;
@group(0) @binding(3) var<storage, read_write> lg_eps: array<f32>;
@group(0) @binding(4) var<storage, read_write> lg_dzin: array<f32>;
@group(0) @binding(5) var<storage, read_write> lg_denc: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn latent_grad(@builtin(global_invocation_id) gid: vec3u) {
  let latent = word(1u);
  if (gid.x >= word(0u) * latent) { return; }
  let row = gid.x / latent;
  let d = gid.x % latent;
  let z = gid.z;
  let scale = word_f32(6u);
  let enc = z * word(2u) + row * 2u * latent;
  let mu = lg_enc[enc + d];
  let log_var = lg_enc[enc + latent + d];
  let g = lg_dzin[z * word(4u) + row * (latent + CLASSES) + d];
  let e = lg_eps[z * word(3u) + row * latent + d];
  let denc = z * word(5u) + row * 2u * latent;
  lg_denc[denc + d] = g + mu * scale;
  lg_denc[denc + latent + d] = 0.5 * g * e * exp(0.5 * log_var) + 0.5 * (exp(log_var) - 1.0) * scale;
}

// ---- per-row negative ELBO: Bernoulli reconstruction (nats) + KL(q(z|x) ‖ N(0, I)) -----------------
// words: 0 rows, 1 latent, 2 logits size, 3 x size, 4 x stride, 5 enc size, 6 value size.
@group(0) @binding(2) var<storage, read_write> el_logits: array<f32>;
@group(0) @binding(3) var<storage, read_write> el_x: array<f32>;
@group(0) @binding(4) var<storage, read_write> el_enc: array<f32>;
@group(0) @binding(5) var<storage, read_write> el_value: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn elbo_rows(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.x;
  if (row >= word(0u)) { return; }
  let z = gid.z;
  let latent = word(1u);
  let logits = z * word(2u) + row * PIXELS;
  let x = z * word(3u) + row * word(4u);
  var reconstruction = 0.0;
  for (var p = 0u; p < PIXELS; p++) {
    let l = el_logits[logits + p];
    reconstruction += softplus(l) - el_x[x + p] * l;
  }
  let enc = z * word(5u) + row * 2u * latent;
  var kl = 0.0;
  for (var d = 0u; d < latent; d++) {
    let mu = el_enc[enc + d];
    let log_var = el_enc[enc + latent + d];
    kl += 0.5 * (mu * mu + exp(log_var) - log_var - 1.0);
  }
  el_value[z * word(6u) + row] = reconstruction + kl;
}

// ---- Bernoulli samples of the decoder's images into rows of x --------------------------------------
// words: 0 rows, 1 logits size, 2 x size, 3 x stride, 4 x first row, 5 stream.
@group(0) @binding(2) var<storage, read_write> sp_logits: array<f32>;
@group(0) @binding(3) var<storage, read_write> sp_x: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn sample_pixels(@builtin(global_invocation_id) gid: vec3u) {
  let rows = word(0u);
  if (gid.x >= rows * QUADS) { return; }
  let row = gid.x / QUADS;
  let q = gid.x % QUADS;
  let z = gid.z;
  let coins = words_at(z, word(5u), (context.step * rows + row) * QUADS + q);
  let logits = z * word(1u) + row * PIXELS + 4u * q;
  let x = z * word(2u) + (word(4u) + row) * word(3u) + 4u * q;
  for (var j = 0u; j < 4u; j++) {
    sp_x[x + j] = select(0.0, 1.0, uniform_open01(coins[j]) < sigmoid(sp_logits[logits + j]));
  }
}

// ---- logistic loss gradient of the verifier: rows before `half` are real (target 1) ---------------
// words: 0 rows, 1 out size, 2 half, 3 scale (f32), 4 grad size.
@group(0) @binding(2) var<storage, read_write> lo_out: array<f32>;
@group(0) @binding(3) var<storage, read_write> lo_grad: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn logistic_grad(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.x;
  if (row >= word(0u)) { return; }
  lo_grad[gid.z * word(4u) + row] = (sigmoid(lo_out[gid.z * word(1u) + row]) - select(0.0, 1.0, row < word(2u))) * word_f32(3u);
}

// ---- the filter: per class of a candidate batch, keep the top k by the verifier's logit ------------
// Rank = how many of the class's candidates have a larger logit, or an equal one and a smaller index
// (a true top-k, ties broken by index). Kept ones are packed into the data at this batch's positions.
// words: 0 rows (classes × chunk), 1 chunk, 2 keep, 3 out size, 4 x size, 5 x stride, 6 data size,
// 7 first slot of the round's block, 8 kept per class, 9 ranked by logit (0: keep in order).
@group(0) @binding(2) var<storage, read_write> tk_out: array<f32>;
@group(0) @binding(3) var<storage, read_write> tk_x: array<f32>;
@group(0) @binding(4) var<storage, read_write> tk_data: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn top_k(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.x;
  if (row >= word(0u)) { return; }
  let z = gid.z;
  let chunk = word(1u);
  let group = row / chunk;
  let i = row % chunk;
  var rank = i;
  if (word(9u) == 1u) {
    rank = 0u;
    let first = z * word(3u) + group * chunk;
    let mine = tk_out[first + i];
    for (var j = 0u; j < chunk; j++) {
      let other = tk_out[first + j];
      rank += select(0u, 1u, other > mine || (other == mine && j < i));
    }
  }
  let position = context.step * word(2u) + rank;
  if (rank >= word(2u) || position >= word(8u)) { return; }
  let slot = z * word(6u) + (word(7u) + group * word(8u) + position) * PACKED;
  let x = z * word(4u) + row * word(5u);
  for (var k = 0u; k < PACKED; k++) {
    var packed = 0u;
    for (var b = 0u; b < 32u; b++) {
      let p = 32u * k + b;
      if (p < PIXELS && tk_x[x + p] > 0.5) { packed |= 1u << b; }
    }
    if (k == 24u) { packed |= (group % CLASSES) << 16u; }
    tk_data[slot + k] = packed;
  }
}

// ---- 1 where the classifier's argmax (first maximum) is the row's class-major label ---------------
// words: 0 rows, 1 out size, 2 value size, 3 rows per class.
@group(0) @binding(2) var<storage, read_write> cr_out: array<f32>;
@group(0) @binding(3) var<storage, read_write> cr_value: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn correct_rows(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.x;
  if (row >= word(0u)) { return; }
  let out = gid.z * word(1u) + row * CLASSES;
  var best = 0u;
  for (var c = 1u; c < CLASSES; c++) {
    if (cr_out[out + c] > cr_out[out + best]) { best = c; }
  }
  cr_value[gid.z * word(2u) + row] = select(0.0, 1.0, best == (row / word(3u)) % CLASSES);
}

// ---- 1 where the verifier is right: logit > 0 on real rows (before `half`), < 0 on the others -------
// words: 0 rows, 1 out size, 2 value size, 3 half.
@group(0) @binding(2) var<storage, read_write> sr_out: array<f32>;
@group(0) @binding(3) var<storage, read_write> sr_value: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn sign_rows(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.x;
  if (row >= word(0u)) { return; }
  let l = sr_out[gid.z * word(1u) + row];
  sr_value[gid.z * word(2u) + row] = select(0.0, 1.0, select((l < 0.0), (l > 0.0), (row < word(3u))));
}

// ---- features minus a shared vector (the evaluation set's mean), before their moments are summed ----
// words: 0 rows, 1 columns, 2 features size.
@group(0) @binding(2) var<storage, read_write> ce_features: array<f32>;
@group(0) @binding(3) var<storage, read_write> ce_mean: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn center(@builtin(global_invocation_id) gid: vec3u) {
  let columns = word(1u);
  if (gid.x >= word(0u) * columns) { return; }
  ce_features[gid.z * word(2u) + gid.x] -= ce_mean[gid.x % columns];
}
