// One generation of curated retraining on tokens (docs/science.md §8) for every replicate of every sweep
// cell: one thread per replicate, thread = cell·R + r. Host: src/models/curation/gpu.ts; the same in float64
// on the same words: src/models/curation/twin.ts (its header gives the word layout).
//
// Generation 0 is P* itself (metrics of P*, counts zeroed). Generation t ≥ 1 draws n tokens: the first m_t
// fresh from P*, the others curated — a curator (by its fixed-point share), then K candidates from p̂_{t−1}
// (P*'s fixed-point table at t = 1, the cumulative counts after), one kept by weighted reservoir sampling
// with the curator's integer weights. Everything is integer, so kernel and twin count the same tokens.
//
// Loop limit: llvmpipe ends an invocation's loops after 65535 iterations, so the host splits the n tokens
// into blocks [sample_begin, sample_end) (samplesPerBlock); the counts persist in the state, the first
// block builds the cumulative counts of p̂_{t−1}, and the block that reaches n writes the metric row.
//
// Prepended consts: V, C (curators), COLUMNS and METRIC_* (CurationMetric).

override WORKGROUP_SIZE: u32 = 64u;

const FIXED_TOTAL: u32 = 0xffffffffu;
// State per replicate (u32): counts of p̂ (V) | cumulative counts of p̂_{t−1} (V).
const STATE_COUNTS: u32 = 0u;
const STATE_CUMULATIVE: u32 = V;
const STATE_STRIDE: u32 = 2u * V;
// The problem (u32 words; f32 as bits): P*'s fixed-point cumulative (V) | P* (V) | the curators' integer
// weights (C·V) | rewards (C·V) | e^{r − max r} (C·V) | e^{r − max r} − 1 (C·V) | per token, bit i set where it maximises r_i (V) |
// the curators' fixed-point cumulative shares (C) | their shares w_i (C) | max r_i (C).
const PROBLEM_STAR: u32 = 0u;
const PROBLEM_STAR_PROBS: u32 = V;
const PROBLEM_WEIGHTS: u32 = 2u * V;
const PROBLEM_REWARDS: u32 = PROBLEM_WEIGHTS + C * V;
const PROBLEM_EXPS: u32 = PROBLEM_REWARDS + C * V;
const PROBLEM_EXPM1S: u32 = PROBLEM_EXPS + C * V;
const PROBLEM_TOP_MASK: u32 = PROBLEM_EXPM1S + C * V;
const PROBLEM_CURATOR_CUMULATIVE: u32 = PROBLEM_TOP_MASK + V;
const PROBLEM_CURATOR_SHARES: u32 = PROBLEM_CURATOR_CUMULATIVE + C;
const PROBLEM_TOP_REWARDS: u32 = PROBLEM_CURATOR_SHARES + C;

struct Params {
  key: vec2u,
  generation: u32,
  // Global thread (cell·R + r) of the chunk's first row, and the chunk's rows.
  first_thread: u32,
  threads: u32,
  replicates: u32,
  sample_begin: u32,
  sample_end: u32,
  row_pitch: u32,
  // Replicate r of a cell draws the words of replicate replicate_base + r (a shard's first replicate).
  replicate_base: u32,
}

struct Cell {
  samples: u32,    // n
  fresh: u32,      // m_t = round(λ_t·n)
  candidates: u32, // K
  addresses: u32,  // A = ⌈(2K + 1)/4⌉, addresses a token owns
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> cells: array<Cell>;
@group(0) @binding(2) var<storage, read> problem: array<u32>;
@group(0) @binding(3) var<storage, read_write> state: array<u32>;
@group(0) @binding(4) var<storage, read_write> metrics: array<f32>;

// The token whose interval of a cumulative table holds j: the first k with C[k] > j, by bisection (the
// twin's searchCumulative, src/core/cpu/tokens.ts, finds the same k by a branchless search).
fn search_star(j: u32) -> u32 {
  var low = 0u;
  var high = V - 1u;
  while (low < high) {
    let middle = (low + high) >> 1u;
    if (problem[PROBLEM_STAR + middle] <= j) { low = middle + 1u; } else { high = middle; }
  }
  return low;
}

fn search_counts(base: u32, j: u32) -> u32 {
  var low = 0u;
  var high = V - 1u;
  while (low < high) {
    let middle = (low + high) >> 1u;
    if (state[base + STATE_CUMULATIVE + middle] <= j) { low = middle + 1u; } else { high = middle; }
  }
  return low;
}

// A candidate from p̂_{t−1}: P* at t = 1 (p_0 = P*), else the replicate's cumulative counts (total n).
fn draw_previous(word: u32, base: u32, n: u32) -> u32 {
  if (params.generation == 1u) { return search_star(mulhilo32(word, FIXED_TOTAL).x); }
  return search_counts(base, mulhilo32(word, n).x);
}

fn pick_curator(word: u32) -> u32 {
  let j = mulhilo32(word, FIXED_TOTAL).x;
  var curator = 0u;
  for (var i = 0u; i + 1u < C; i++) {
    if (problem[PROBLEM_CURATOR_CUMULATIVE + i] <= j) { curator = i + 1u; }
  }
  return curator;
}

// log(1 + x) for x > −1, to f32 precision also where |x| is tiny (WGSL has no log1p).
fn log1p(x: f32) -> f32 {
  if (abs(x) < 1e-4) { return x * (1.0 - x * (0.5 - x / 3.0)); }
  return log(1.0 + x);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn step(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.x + gid.y * params.row_pitch;
  if (row >= params.threads) { return; }
  let thread = params.first_thread + row;
  let cell = cells[thread / params.replicates];
  let replicate = params.replicate_base + thread % params.replicates;
  let t = params.generation;
  let base = row * STATE_STRIDE;
  let n = cell.samples;
  let begin = params.sample_begin;
  let end = select(min(params.sample_end, n), 0u, t == 0u);

  if (t == 0u) {
    if (begin != 0u) { return; }
    for (var k = 0u; k < V; k++) { state[base + STATE_COUNTS + k] = 0u; }
  } else {
    if (begin >= end) { return; }  // this cell's generation was finished in an earlier block
    if (begin == 0u) {
      if (t > 1u) {
        var running = 0u;
        for (var k = 0u; k < V; k++) {
          running += state[base + STATE_COUNTS + k];
          state[base + STATE_CUMULATIVE + k] = running;
        }
      }
      for (var k = 0u; k < V; k++) { state[base + STATE_COUNTS + k] = 0u; }
    }
    let K = cell.candidates;
    let A = cell.addresses;
    for (var i = begin; i < end; i++) {
      var kept: u32;
      if (i < cell.fresh) {
        let word = random_words(params.key, replicate, t, STREAM_INPUTS, i * A).x;
        kept = search_star(mulhilo32(word, FIXED_TOTAL).x);
      } else {
        // Word m of the token: 0 the curator, 1 + 2j candidate j, 2 + 2j whether it replaces the kept one.
        var curator = 0u;
        var token = 0u;
        var weight = 0u;
        var weight_sum = 0u;
        kept = 0u;
        for (var a = 0u; a < A; a++) {
          let words = random_words(params.key, replicate, t, STREAM_INPUTS, i * A + a);
          for (var e = 0u; e < 4u; e++) {
            let m = 4u * a + e;
            if (m == 0u) {
              curator = pick_curator(words[e]);
            } else if (m <= 2u * K) {
              if ((m & 1u) == 1u) {
                token = draw_previous(words[e], base, n);
                weight = problem[PROBLEM_WEIGHTS + curator * V + token];
                weight_sum += weight;
              } else if (mulhilo32(words[e], weight_sum).x < weight) {
                kept = token;
              }
            }
          }
        }
      }
      state[base + STATE_COUNTS + kept] += 1u;
    }
    if (end != n) { return; }
  }

  // Metrics of p̂_t (P* at t = 0).
  var reward = vec3f(0.0);
  var exps = vec3f(0.0);
  var expm1s = vec3f(0.0);
  var tops = vec3f(0.0);
  var top = 0.0;
  var divergence = 0.0;
  var entropy = 0.0;
  for (var k = 0u; k < V; k++) {
    let star = bitcast<f32>(problem[PROBLEM_STAR_PROBS + k]);
    let q = select(f32(state[base + STATE_COUNTS + k]) / f32(n), star, t == 0u);
    if (q > 0.0) {
      divergence += q * log(q / star);
      entropy -= q * log(q);
      let mask = problem[PROBLEM_TOP_MASK + k];
      for (var i = 0u; i < C; i++) {
        reward[i] += q * bitcast<f32>(problem[PROBLEM_REWARDS + i * V + k]);
        exps[i] += q * bitcast<f32>(problem[PROBLEM_EXPS + i * V + k]);
        expm1s[i] += q * bitcast<f32>(problem[PROBLEM_EXPM1S + i * V + k]);
        if (((mask >> i) & 1u) == 1u) { tops[i] += q; }
      }
      if (mask != 0u) { top += q; }
    }
  }
  // log E e^{r − max r}: log1p(E (e^{r − max r} − 1)) above ½, else log E e^{r − max r}, as the twin's logMeanExp.
  var weighted = 0.0;
  var nash = 0.0;
  for (var i = 0u; i < C; i++) {
    let share = bitcast<f32>(problem[PROBLEM_CURATOR_SHARES + i]);
    weighted += share * reward[i];
    let log_mean = select(log(exps[i]), log1p(expm1s[i]), exps[i] > 0.5);
    nash += share * (bitcast<f32>(problem[PROBLEM_TOP_REWARDS + i]) + log_mean);
  }
  let out = row * COLUMNS;
  metrics[out + METRIC_REWARD] = weighted;
  metrics[out + METRIC_TOP] = top;
  metrics[out + METRIC_DIVERGENCE] = divergence;
  metrics[out + METRIC_ENTROPY] = entropy;
  metrics[out + METRIC_NASH] = nash;
  metrics[out + METRIC_REWARD1] = reward.x;
  metrics[out + METRIC_REWARD2] = reward.y;
  metrics[out + METRIC_REWARD3] = reward.z;
  metrics[out + METRIC_TOP1] = tops.x;
  metrics[out + METRIC_TOP2] = tops.y;
  metrics[out + METRIC_TOP3] = tops.z;
}
