// One generation of the categorical retraining loop (docs/science.md §4) for every replicate of
// every sweep cell: one workgroup per replicate, whose threads draw the generation's n_t tokens
// in parallel from the mixture α_t P* + (1 − α_t) P̂_{t−1} and count them with atomics — tokens
// never reach memory; only a replicate's counts persist — then (last block) write the
// replicate's metric row. Host: src/models/categorical/gpu.ts. Twin: src/models/categorical/twin.ts.
//
// Random words (the twin uses the same addresses and the same integer draws, token for token):
// token i of generation t of replicate r (r counted within its cell, so sweep cells share words)
// is drawn with word i mod 4 of address (r, t, STREAM_INPUTS, ⌊i/4⌋). It comes from P* iff
// uniform_open01(word i mod 4 of (r, t, STREAM_REAL_COIN, ⌊i/4⌋)) < α_t (an f32); those coin
// words are computed only where 0 < α_t < 1, since the comparison is decided otherwise. The draw
// word w becomes j = ⌊w·S/2³²⌋ for a cumulative table C of total S, and the token is the k with
// C[k−1] ≤ j < C[k]: P̂_{t−1} from its cumulative counts (S = n_{t−1}), P* from its fixed-point
// cumulative (S = 2³² − 1, computed once on the host). All integer: GPU and twin agree exactly.
//
// The search for k is guided (Chen & Asau's indexed search): bucket m = w >> (32 − GUIDE_BITS)
// only holds words whose token lies between the tokens of its first word and of the next
// bucket's, G[m] and G[m + 1], so a binary search of that (typically one- or two-token) range
// finds the same k as a search of the whole table, in a step or two instead of log₂ K. G of
// P̂_{t−1} is built per replicate per generation; G of P* once on the host. The twin searches
// the whole table: the answer is the same.
//
// Counts: each replicate has two rows of K counts, P̂_{t−1} and the row generation t fills
// (alternating). New counts accumulate in workgroup memory (`fresh`), or — GLOBAL_COUNTS, where
// the device's workgroup storage cannot hold them beside the cumulative table and a useful
// guide — with atomics straight in the count row.
//
// Loop limit: some adapters silently end an invocation's loops after a fixed number of
// iterations (llvmpipe: 65535), so the host splits the token groups (four tokens) of a
// generation into blocks [group_begin, group_end) that stay below the measured limit
// (tokenGroupsPerThread in src/models/categorical/gpu.ts); counts carry over in the count row.
//
// Prepended consts: K, WORKGROUP_SIZE, TABLE_SIZE = max(K, 4·WORKGROUP_SIZE),
// PER_THREAD = ⌈K / WORKGROUP_SIZE⌉, SEARCH_TOP (largest power of two ≤ K − 1), GUIDE_BITS ≥ 1,
// GUIDE_SIZE = 2^GUIDE_BITS, COLUMNS, COLUMN_*.

const STAR_TOTAL: u32 = 0xffffffffu;
const GUIDE_SHIFT: u32 = 32u - GUIDE_BITS;
// Per distinct P* in `problem`: fixed-point cumulative (K) | probabilities as f32 bits (K) | guide (GUIDE_SIZE).
const PROBLEM_STRIDE: u32 = 2u * K + GUIDE_SIZE;

struct Params {
  key: vec2u,
  generation: u32,
  replicates: u32,         // R, replicates per cell
  chunk_first: u32,        // cell·R + r of the chunk's first replicate
  chunk_replicates: u32,
  // Metric rows come in reduction groups of `group_size` replicates of one cell, group
  // cell·groups_per_cell + ⌊r / group_size⌋; the chunk's table starts at its first group.
  chunk_first_group: u32,
  groups_per_cell: u32,
  group_size: u32,
  group_begin: u32,        // this block's token groups
  group_end: u32,
  fill_row: u32,           // 0 or 1: the count row generation t fills; the other holds P̂_{t−1}
  first_block: u32,
  last_block: u32,
  use_previous: u32,       // some cell draws from P̂_{t−1} (α_t < 1)
  row_pitch: u32,          // workgroups per grid row
  // Replicate r of a cell draws the words of replicate replicate_base + r: a shard's first
  // replicate (src/core/engine/shard.ts), 0 in a whole run.
  replicate_base: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Per cell: (n_t, α_t as f32 bits, index of its P*, 0).
@group(0) @binding(1) var<storage, read> cells: array<vec4u>;
@group(0) @binding(2) var<storage, read> problem: array<u32>;
#if GLOBAL_COUNTS
@group(0) @binding(3) var<storage, read_write> counts: array<atomic<u32>>;
#else
@group(0) @binding(3) var<storage, read_write> counts: array<u32>;
var<workgroup> fresh: array<atomic<u32>, K>;
#endif
@group(0) @binding(4) var<storage, read_write> metrics: array<f32>;

// The cumulative counts of P̂_{t−1}; after the draws, scratch for the metric sums.
var<workgroup> previous: array<u32, TABLE_SIZE>;
// The guide of P̂_{t−1}: G[m], the token of the first word of bucket m.
var<workgroup> guide: array<u32, GUIDE_SIZE>;

fn load_count(index: u32) -> u32 {
#if GLOBAL_COUNTS
  return atomicLoad(&counts[index]);
#else
  return counts[index];
#endif
}

// Count k of the generation so far; `fill` is the start of the replicate's row being filled.
fn fresh_count(fill: u32, k: u32) -> u32 {
#if GLOBAL_COUNTS
  return atomicLoad(&counts[fill + k]);
#else
  return atomicLoad(&fresh[k]);
#endif
}

fn count_token(fill: u32, k: u32) {
#if GLOBAL_COUNTS
  atomicAdd(&counts[fill + k], 1u);
#else
  atomicAdd(&fresh[k], 1u);
#endif
}

// Inclusive prefix sums of the count row at `row` into `previous`: each thread sums its own
// PER_THREAD consecutive entries, then adds the totals of the chunks before its own (three
// barriers, where a tree scan would need two per doubling).
fn scan_previous(row: u32, lid: u32) {
  let first = lid * PER_THREAD;
  var running = 0u;
  for (var m = 0u; m < PER_THREAD; m++) {
    if (first + m < K) {
      running += load_count(row + first + m);
      previous[first + m] = running;
    }
  }
  workgroupBarrier();
  var before = 0u;
  for (var chunk = 0u; chunk < lid && chunk * PER_THREAD < K; chunk++) {
    before += previous[min(chunk * PER_THREAD + PER_THREAD, K) - 1u];
  }
  workgroupBarrier();
  for (var m = 0u; m < PER_THREAD; m++) {
    if (first + m < K) { previous[first + m] += before; }
  }
  workgroupBarrier();
}

// The k with C[k−1] ≤ j < C[k] in P̂_{t−1}'s cumulative counts: how many of the first K − 1 are ≤ j.
fn search_previous(j: u32) -> u32 {
  var k = 0u;
  for (var step = SEARCH_TOP; step > 0u; step >>= 1u) {
    let probe = k + step;
    if (probe < K && previous[probe - 1u] <= j) { k = probe; }
  }
  return k;
}

// G of P̂_{t−1}: bucket m's first word m·2^GUIDE_SHIFT draws j = ⌊m·2^GUIDE_SHIFT·total/2³²⌋.
fn build_guide(total: u32, lid: u32) {
  for (var m = lid; m < GUIDE_SIZE; m += WORKGROUP_SIZE) {
    guide[m] = search_previous(mulhilo32(m << GUIDE_SHIFT, total).x);
  }
}

// Every thread's writes so far — workgroup memory, and the count row's atomics where
// GLOBAL_COUNTS — are seen by every thread of the workgroup.
fn barrier_all() {
  workgroupBarrier();
#if GLOBAL_COUNTS
  storageBarrier();
#endif
}

// The token of word w in P̂_{t−1}: the smallest k in [G[m], G[m + 1]] with C[k] > j
// (C[K − 1] = total > j, so the last bucket ends at K − 1).
fn draw_previous(w: u32, total: u32) -> u32 {
  let j = mulhilo32(w, total).x;
  let m = w >> GUIDE_SHIFT;
  var low = guide[m];
  var high = select(K - 1u, guide[min(m + 1u, GUIDE_SIZE - 1u)], m + 1u < GUIDE_SIZE);
  while (low < high) {
    let middle = (low + high) / 2u;
    if (previous[middle] <= j) { low = middle + 1u; } else { high = middle; }
  }
  return low;
}

// The same for P* at problem[star] (its guide after its cumulative and probabilities).
fn draw_star(star: u32, w: u32) -> u32 {
  let j = mulhilo32(w, STAR_TOTAL).x;
  let m = w >> GUIDE_SHIFT;
  var low = problem[star + 2u * K + m];
  var high = select(K - 1u, problem[star + 2u * K + min(m + 1u, GUIDE_SIZE - 1u)], m + 1u < GUIDE_SIZE);
  while (low < high) {
    let middle = (low + high) / 2u;
    if (problem[star + middle] <= j) { low = middle + 1u; } else { high = middle; }
  }
  return low;
}

// Sums of four values over the workgroup, through `previous` (free once every token is drawn;
// TABLE_SIZE ≥ 4·WORKGROUP_SIZE).
fn workgroup_sum4(value: vec4f, lid: u32) -> vec4f {
  for (var c = 0u; c < 4u; c++) { previous[4u * lid + c] = bitcast<u32>(value[c]); }
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      for (var c = 0u; c < 4u; c++) {
        previous[4u * lid + c] = bitcast<u32>(bitcast<f32>(previous[4u * lid + c]) + bitcast<f32>(previous[4u * (lid + stride) + c]));
      }
    }
    workgroupBarrier();
  }
  return vec4f(bitcast<f32>(previous[0]), bitcast<f32>(previous[1]), bitcast<f32>(previous[2]), bitcast<f32>(previous[3]));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn sample(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let local = wid.x + wid.y * params.row_pitch;
  if (local >= params.chunk_replicates) { return; }
  let dense = params.chunk_first + local;
  let cell = dense / params.replicates;
  let replicate = dense % params.replicates;
  let drawn = params.replicate_base + replicate;  // whose random words
  let cell_params = cells[cell];
  let n = cell_params.x;
  let threshold = bitcast<f32>(cell_params.y);
  let star = cell_params.z * PROBLEM_STRIDE;
  let fill = (2u * local + params.fill_row) * K;

  var total = 0u;
  if (params.use_previous != 0u) {
    scan_previous((2u * local + 1u - params.fill_row) * K, lid);
    total = previous[K - 1u];
    build_guide(total, lid);
  }
  for (var k = lid; k < K; k += WORKGROUP_SIZE) {
#if GLOBAL_COUNTS
    if (params.first_block != 0u) { atomicStore(&counts[fill + k], 0u); }
#else
    var carried = 0u;
    if (params.first_block == 0u) { carried = counts[fill + k]; }
    atomicStore(&fresh[k], carried);
#endif
  }
  barrier_all();

  let coins_needed = threshold > 0.0 && threshold < 1.0;
  let group_end = min(params.group_end, (n + 3u) / 4u);
  for (var g = params.group_begin + lid; g < group_end; g += WORKGROUP_SIZE) {
    let words = random_words(params.key, drawn, params.generation, STREAM_INPUTS, g);
    var coins = vec4u(0u);  // uniform_open01(0) lies strictly between 0 and 1: decided by α_t alone
    if (coins_needed) { coins = random_words(params.key, drawn, params.generation, STREAM_REAL_COIN, g); }
    for (var s = 0u; s < 4u; s++) {
      if (4u * g + s >= n) { break; }
      var token: u32;
      if (uniform_open01(coins[s]) < threshold) {
        token = draw_star(star, words[s]);
      } else {
        token = draw_previous(words[s], total);
      }
      count_token(fill, token);
    }
  }

  barrier_all();
#if GLOBAL_COUNTS
#else
  for (var k = lid; k < K; k += WORKGROUP_SIZE) { counts[fill + k] = atomicLoad(&fresh[k]); }
#endif
  if (params.last_block == 0u) { return; }

  let size = f32(n);
  let smoothed_total = size + 0.5 * f32(K);
  var sums = vec4f(0.0);  // (‖P̂ − P*‖², ‖P̂ − P*‖₁, KL, point mass)
  for (var k = lid; k < K; k += WORKGROUP_SIZE) {
    let c = fresh_count(fill, k);
    let p = bitcast<f32>(problem[star + K + k]);
    let d = f32(c) / size - p;
    sums.x += d * d;
    sums.y += abs(d);
    if (p > 0.0) { sums.z += p * log(p * smoothed_total / (f32(c) + 0.5)); }
    if (c == n) { sums.w = 1.0; }
  }
  sums = workgroup_sum4(sums, lid);
  if (lid == 0u) {
    let group = cell * params.groups_per_cell + replicate / params.group_size;
    let out = ((group - params.chunk_first_group) * params.group_size + replicate % params.group_size) * COLUMNS;
    metrics[out + COLUMN_R] = sums.x;
    metrics[out + COLUMN_TV] = 0.5 * sums.y;
    metrics[out + COLUMN_KL] = sums.z;
    metrics[out + COLUMN_ABSORBED] = sums.w;
  }
}
