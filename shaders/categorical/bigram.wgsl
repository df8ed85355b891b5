// One generation of the bigram retraining loop (docs/science.md §4: one categorical per state) for
// every replicate of every sweep cell. `sample`: one thread per replicate walks the chain for
// tokens [4·group_begin, 4·group_end) — a sequence is sequential — counting transitions in
// the replicate's fresh count rows; states never reach memory. `finish`: one workgroup per
// replicate turns each visited row's counts into its new estimate and writes the metric row.
// Host: src/models/categorical/bigram-gpu.ts. Twin: src/models/categorical/bigram-twin.ts.
//
// Random words (the same addresses and integer draws as shaders/categorical/categorical.wgsl, state for
// state in the twin): token i of generation t of replicate r (within its cell) uses word i mod 4
// of (r, t, STREAM_INPUTS, ⌊i/4⌋) and the coin word i mod 4 of (r, t, STREAM_REAL_COIN, ⌊i/4⌋)
// (only where 0 < α_t < 1). Token 0, the start state, is uniform: ⌊w·K/2³²⌋. Token i ≥ 1 comes
// from row `current` of P* (fixed-point cumulative, total 2³² − 1) iff uniform_open01(coin) < α_t,
// else from that row of P̂_{t−1} (cumulative counts, total = the row's last entry): the k with
// C[k−1] ≤ ⌊w·S/2³²⌋ < C[k]. Transition current → k adds one to fresh row `current`.
//
// P̂ per replicate: K rows of cumulative counts. A row visited by generation t becomes its fresh
// counts; a row not visited keeps its previous estimate, and after generation 0 (which draws
// from P* only) is uniform (cumulative 1, 2, …, K).
//
// Loop limit: the host splits the token groups into blocks below the adapter's limit
// (tokenGroupsPerBlock in src/models/categorical/bigram-gpu.ts); the chain's current state carries over in `chain`.
//
// Prepended consts: K, SEARCH_TOP (largest power of two ≤ K − 1), SAMPLE_SIZE, FINISH_SIZE
// (a power of two), COLUMNS, COLUMN_*.

const STAR_TOTAL: u32 = 0xffffffffu;
const ROWS: u32 = K * K;

struct Params {
  key: vec2u,
  generation: u32,
  replicates: u32,         // R, replicates per cell
  chunk_first: u32,        // cell·R + r of the chunk's first replicate
  chunk_replicates: u32,
  // Metric rows come in reduction groups of `group_size` replicates of one cell (see
  // shaders/categorical/categorical.wgsl); the chunk's table starts at its first group.
  chunk_first_group: u32,
  groups_per_cell: u32,
  group_size: u32,
  group_begin: u32,        // this block's token groups
  group_end: u32,
  sample_row_pitch: u32,   // threads per grid row of `sample`
  finish_row_pitch: u32,   // workgroups per grid row of `finish`
  // Replicate r of a cell draws the words of replicate replicate_base + r: a shard's first
  // replicate (src/core/engine/shard.ts), 0 in a whole run.
  replicate_base: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Per cell: (n_t, α_t as f32 bits, index of its P*, 0).
@group(0) @binding(1) var<storage, read> cells: array<vec4u>;
// Per distinct P*: fixed-point cumulative rows (K×K) | probabilities as f32 bits (K×K).
@group(0) @binding(2) var<storage, read> problem: array<u32>;
// Per replicate: P̂ as cumulative count rows (K×K) | this generation's transition counts (K×K).
@group(0) @binding(3) var<storage, read_write> counts: array<u32>;
// Per replicate: the chain's current state between blocks.
@group(0) @binding(4) var<storage, read_write> chain: array<u32>;
@group(0) @binding(5) var<storage, read_write> metrics: array<f32>;

var<workgroup> scratch: array<f32, FINISH_SIZE>;

// The k with C[k−1] ≤ j < C[k] in the cumulative row at problem[row]: how many of its first K − 1 are ≤ j.
fn search_star(row: u32, j: u32) -> u32 {
  var k = 0u;
  for (var step = SEARCH_TOP; step > 0u; step >>= 1u) {
    let probe = k + step;
    if (probe < K && problem[row + probe - 1u] <= j) { k = probe; }
  }
  return k;
}

// The same in the cumulative count row at counts[row].
fn search_estimate(row: u32, j: u32) -> u32 {
  var k = 0u;
  for (var step = SEARCH_TOP; step > 0u; step >>= 1u) {
    let probe = k + step;
    if (probe < K && counts[row + probe - 1u] <= j) { k = probe; }
  }
  return k;
}

struct Replicate {
  cell: u32,
  replicate: u32,
}

fn locate(local: u32) -> Replicate {
  let dense = params.chunk_first + local;
  return Replicate(dense / params.replicates, dense % params.replicates);
}

@compute @workgroup_size(SAMPLE_SIZE)
fn sample(@builtin(global_invocation_id) gid: vec3u) {
  let local = gid.x + gid.y * params.sample_row_pitch;
  if (local >= params.chunk_replicates) { return; }
  let at = locate(local);
  let cell_params = cells[at.cell];
  let n = cell_params.x;
  let threshold = bitcast<f32>(cell_params.y);
  let star = cell_params.z * 2u * ROWS;
  let estimate = local * 2u * ROWS;
  let fresh = estimate + ROWS;
  let coins_needed = threshold > 0.0 && threshold < 1.0;
  let group_end = min(params.group_end, (n + 3u) / 4u);
  var current = chain[local];
  let drawn = params.replicate_base + at.replicate;  // whose random words
  for (var g = params.group_begin; g < group_end; g++) {
    let words = random_words(params.key, drawn, params.generation, STREAM_INPUTS, g);
    var coins = vec4u(0u);  // uniform_open01(0) lies strictly between 0 and 1: decided by α_t alone
    if (coins_needed) { coins = random_words(params.key, drawn, params.generation, STREAM_REAL_COIN, g); }
    for (var s = 0u; s < 4u; s++) {
      let i = 4u * g + s;
      if (i >= n) { break; }
      if (i == 0u) {
        current = mulhilo32(words[0], K).x;
        continue;
      }
      let row = current * K;
      if (uniform_open01(coins[s]) < threshold) {
        current = search_star(star + row, mulhilo32(words[s], STAR_TOTAL).x);
      } else {
        current = search_estimate(estimate + row, mulhilo32(words[s], counts[estimate + row + K - 1u]).x);
      }
      counts[fresh + row + current] += 1u;
    }
  }
  chain[local] = current;
}

fn workgroup_sum(value: f32, lid: u32) -> f32 {
  scratch[lid] = value;
  workgroupBarrier();
  for (var stride = FINISH_SIZE / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { scratch[lid] += scratch[lid + stride]; }
    workgroupBarrier();
  }
  let sum = scratch[0];
  workgroupBarrier();  // every thread has read it before the next sum overwrites it
  return sum;
}

@compute @workgroup_size(FINISH_SIZE)
fn finish(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let local = wid.x + wid.y * params.finish_row_pitch;
  if (local >= params.chunk_replicates) { return; }
  let at = locate(local);
  let probs = cells[at.cell].z * 2u * ROWS + ROWS;
  let estimate = local * 2u * ROWS;
  let fresh = estimate + ROWS;
  var r = 0.0;
  var tv = 0.0;
  var kl = 0.0;
  for (var s = lid; s < K; s += FINISH_SIZE) {
    let row = s * K;
    var visits = 0u;
    for (var k = 0u; k < K; k++) { visits += counts[fresh + row + k]; }
    if (visits > 0u) {
      var running = 0u;
      for (var k = 0u; k < K; k++) {
        running += counts[fresh + row + k];
        counts[estimate + row + k] = running;
        counts[fresh + row + k] = 0u;
      }
    } else if (params.generation == 0u) {
      for (var k = 0u; k < K; k++) { counts[estimate + row + k] = k + 1u; }
    }
    let total = f32(counts[estimate + row + K - 1u]);
    let smoothed_total = total + 0.5 * f32(K);
    var below = 0u;
    for (var k = 0u; k < K; k++) {
      let cumulative = counts[estimate + row + k];
      let c = f32(cumulative - below);
      below = cumulative;
      let p = bitcast<f32>(problem[probs + row + k]);
      let d = c / total - p;
      r += d * d;
      tv += abs(d);
      if (p > 0.0) { kl += p * log(p * smoothed_total / (c + 0.5)); }
    }
  }
  r = workgroup_sum(r, lid);
  tv = workgroup_sum(tv, lid);
  kl = workgroup_sum(kl, lid);
  if (lid == 0u) {
    let group = at.cell * params.groups_per_cell + at.replicate / params.group_size;
    let out = ((group - params.chunk_first_group) * params.group_size + at.replicate % params.group_size) * COLUMNS;
    metrics[out + COLUMN_R] = r / f32(K);
    metrics[out + COLUMN_TV] = 0.5 * tv / f32(K);
    metrics[out + COLUMN_KL] = kl / f32(K);
  }
}
