/**
 * The roofline on paper: what each workload of the suite (bench/suite.ts, bench/w5.ts) would take on
 * an H200-class GPU if it ran at the chip's FP32, integer, special-function, HBM or host-link rate,
 * whichever binds. The operations are counted from the kernels as written (per lane, before any
 * compiler fusion), the bytes as what must cross device memory (or the host link) at least once.
 * Rendered as "Roofline on paper: H200" in bench/RESULTS.md (bench/report.ts) and compared with the
 * measured rates in the GPU run's section (bench/gpu-report.ts).
 *
 * Counts per lane operation: `fma` (a fused multiply-add: 2 flops, one FP32 issue slot), `fp` (any
 * other FP32 operation: add, mul, compare, select, min/max: 1 flop, one slot), `int` (32-bit integer
 * add, xor, shift, and, or, mul: the INT32 pipe), `sfu` (the special-function unit: reciprocal,
 * square root, inverse square root, log₂, sin, cos, and int↔float conversions, which run at the same
 * quarter-of-INT32 rate on Hopper).
 */
import { packedSize } from '../src/core/cpu/cholesky.js';
import { linearColumnCount } from '../src/models/linear/columns.js';
import { YI_COLUMNS } from '../src/models/yi-grid/columns.js';
import { candidatesDrawn } from '../src/models/mnist-cvae/spec.js';
import { W5_REPLICATES, w5Flops, w5Resolved } from './w5.js';

/** A GPU as the roofline sees it. */
export interface Machine {
  name: string;
  sms: number;
  /** Boost clock in Hz. */
  clock: number;
  /** Lanes per SM per clock: FP32 FMA, INT32, special-function (MUFU) and conversions, instruction issue (4 schedulers × 32). */
  fp32Lanes: number;
  int32Lanes: number;
  sfuLanes: number;
  issueLanes: number;
  /** Device-memory (HBM) bandwidth, bytes/s. */
  hbm: number;
  /** Host link, bytes/s each way. */
  hostLink: number;
  l2Bytes: number;
}

/** NVIDIA H200 SXM: 132 SMs at 1.98 GHz (the clock KINDS.md read under load), HBM3e 4.8 TB/s, PCIe 5.0 ×16. */
export const H200: Machine = {
  name: 'NVIDIA H200 (SXM, 141 GB HBM3e)',
  sms: 132, clock: 1.98e9,
  fp32Lanes: 128, int32Lanes: 64, sfuLanes: 16, issueLanes: 128,
  hbm: 4.8e12, hostLink: 64e9, l2Bytes: 60e6,
};

/** FP32 non-tensor peak in flop/s (FMA = 2 flops): 132 × 128 × 2 × 1.98 GHz ≈ 66.9 TFLOP/s. */
export const fp32Peak = (m: Machine) => m.sms * m.fp32Lanes * 2 * m.clock;

/** Lane operations by pipe, and bytes. */
export interface Ops {
  fma: number;
  fp: number;
  int: number;
  sfu: number;
  /** Bytes to or from device memory (HBM). */
  bytes: number;
  /** Bytes over the host link (read-backs). */
  hostBytes: number;
}

const zero = (): Ops => ({ fma: 0, fp: 0, int: 0, sfu: 0, bytes: 0, hostBytes: 0 });
const add = (...parts: Ops[]): Ops => parts.reduce((s, p) => ({
  fma: s.fma + p.fma, fp: s.fp + p.fp, int: s.int + p.int, sfu: s.sfu + p.sfu, bytes: s.bytes + p.bytes, hostBytes: s.hostBytes + p.hostBytes,
}), zero());
const scale = (o: Ops, k: number): Ops => ({ fma: o.fma * k, fp: o.fp * k, int: o.int * k, sfu: o.sfu * k, bytes: o.bytes * k, hostBytes: o.hostBytes * k });
const ops = (o: Partial<Ops>): Ops => ({ ...zero(), ...o });

/**
 * Threefry-4×32-20 as shaders/random.wgsl writes it, per four 32-bit words: 10 round pairs × 4 mixes ×
 * (add, rotate = shl + shr + or, xor), the counter + key and 5 more key injections (4 adds each, the
 * round constant one more), the parity's 4 xors: 200 + 4 + 25 + 4 = 233 integer operations. (A
 * compiler that turns each rotate into one funnel shift makes it 153.)
 */
export const THREEFRY_INT_OPS = 10 * 4 * 5 + 4 + 5 * 5 + 4;

/**
 * `blocks` Threefry calls and `normals` Box–Muller normals (shaders/random.wgsl): per normal one
 * uniform (a shift, a u32→f32 conversion, an FMA); per pair log₂ (and its scale), sqrt, sin, cos
 * (with one range-reduction mul), inverseSqrt of the renormalisation, the angle's FMA, the dot's mul
 * + FMA and three muls — 5 special functions and 2 conversions, 4 FMAs and 7 other FP32 ops a pair.
 */
export function draws(blocks: number, normals: number): Ops {
  const pairs = normals / 2;
  return ops({ int: THREEFRY_INT_OPS * blocks + normals, sfu: 7 * pairs, fma: 4 * pairs, fp: 7 * pairs });
}

/** f32 `/` (reciprocal + mul: Vulkan allows 2.5 ULP) and `sqrt` (one special function + one fix-up). */
const DIV = ops({ sfu: 1, fp: 1 });
const SQRT = ops({ sfu: 1, fp: 1 });

/** shaders/cholesky.wgsl's cholesky_solve at dimension d: the factor, then the two triangular solves. */
export function choleskySolve(d: number): Ops {
  let fma = 0, divs = 0;
  for (let j = 0; j < d; j++) {
    fma += j;  // the pivot
    for (let i = j + 1; i < d; i++) { fma += j; divs++; }
  }
  fma += d * (d - 1);  // L z = b and Lᵀ θ = z: Σ i each
  divs += 2 * d;
  return add(ops({ fma, fp: d }), scale(DIV, divs), scale(SQRT, d));
}

export interface Workload {
  key: 'w1' | 'w2' | 'w2xl' | 'w3' | 'w4' | 'w5';
  title: string;
  /** What one unit of rate is (replicate-generations, or W5's replicate-rounds), and how many a run has. */
  unit: 'replicate-generations' | 'replicate-rounds';
  units: number;
  /** The whole run. */
  total: Ops;
  /** What the counts leave out or assume, one line. */
  note: string;
}

// ——— W1: the yi-grid preset (shaders/yi-grid/yi_grid.wgsl, study_shared on a GPU: a cell a thread, 64 cells a workgroup) ———
function w1(): Workload {
  const D = 5, Q = 2, n1 = 100, n2 = 100, cells = 300 * 150, R = 100, perGroup = 64;
  const tiles = Math.ceil(cells / perGroup);
  // A real sample in one cell (add_real): the verifier (2 FMAs, a compare), the weight's select, fit_add
  // (D weight muls, 15 + 5 FMAs of the packed Gram and rhs, the count): about 30 operations.
  const realCell = ops({ fma: 2 + packedSize(D) + D, fp: 1 + 1 + D + 1 });
  // A synthetic sample in one cell (add_synthetic): the residual under θ̂₁ (Q vec4 dots), two verifiers,
  // two selects, two fit_adds: about 70 operations.
  const syntheticCell = ops({ fma: 4 * Q + 2 * 2 + 2 * (packedSize(D) + D), fp: 2 * 1 + 2 + 2 * (D + 1 + 1) });
  // Per cell and replicate: θ̂₁, θ̂₂, θ̂₃ solved; finish_row (δ sums, four squared norms, 11 metric
  // columns written), and the reduction reading them again; the cell's parameters (2 vec4s).
  const cellReplicate = add(scale(choleskySolve(D), 3), ops({ fp: 2 * 4 * Q + 8, fma: 4 * 4 * Q, bytes: 2 * YI_COLUMNS * 4 + 32 }));
  // Per workgroup (tile × replicate): both generations' 200 samples drawn once (D input addresses and
  // one noise address a quad: D + 1 normals a sample), their aux (Σx, ‖x‖, σε) and θ̂₀-residual,
  // written to workgroup memory; θ̂₀ − θ* read (Q + 1 vec4s).
  const perSample = add(draws((D + 1) / 4, D + 1), ops({ fp: 4 * Q + 1 + 1, fma: 4 * Q + 4 * Q }), SQRT);
  const workgroup = add(scale(perSample, n1 + n2), ops({ bytes: (Q + 1) * 16 }));
  // fit_real: θ̂₀ once per replicate (n₁ samples drawn again, fit_add, one solve, Q + 1 vec4s written).
  const fitReal = add(scale(add(perSample, ops({ fma: packedSize(D) + D, fp: D + 2 })), n1), choleskySolve(D), ops({ bytes: (Q + 1) * 16 }));
  const total = add(
    scale(add(scale(realCell, n1), scale(syntheticCell, n2), cellReplicate), cells * R),
    scale(workgroup, tiles * R),
    scale(fitReal, R),
  );
  return {
    key: 'w1', title: 'W1 yi-grid, 300 × 150 cells × R = 100', unit: 'replicate-generations', units: cells * R, total,
    note: `one round; per cell-replicate ${n1} real sample-cells × ~30 and ${n2} synthetic × ~70 FP32 operations, 3 Cholesky solves (d = ${D}); `
      + `each replicate's 200 samples drawn once per workgroup of ${perGroup} cells (${tiles} workgroups a replicate), so the draws are 1/${perGroup} of the work; only the 11 metric columns reach memory`,
  };
}

// ——— W2 (and W2 at R = 2²⁰): linear replace + ball verifier, shaders/linear/linear.wgsl (a thread a replicate, d = 16) ———
function linearReplace(key: 'w2' | 'w2xl', R: number): Workload {
  const D = 16, Q = 4, n = 512, T = 20, quads = 2;
  const samples = 4 * quads;
  const tiles = (Q * (Q + 1)) / 2;
  const columns = linearColumnCount(D);
  // Per sample: Q input addresses and a quarter of a noise address (4Q + 1 normals); x = √Σ z; the
  // label (Q vec4 dots with the selected θ, σε); weight and y; gram_add's share: w·x (Q vec4 muls after
  // common subexpressions), 16 FMAs per lower 4×4 block, the rhs, and the batch's block adds.
  const sample = add(draws(Q + 0.25, 4 * Q + 1), ops({
    fp: 4 * Q + 4 * Q + 1 + 1 + 4 * Q + 1 + (tiles * 16) / samples + (4 * Q) / samples + 1,
    fma: 4 * Q + 1 + tiles * 16 + 4 * Q,
  }));
  // Synthetic samples also pass the ball verifier: x·θ_c and ‖x‖² (2Q vec4 dots), a sqrt, the test, two counts.
  const verifier = add(ops({ fma: 2 * 4 * Q + 1, fp: 2 + 2 }), SQRT);
  // finish: the ridge solve (d = 16) and 4 metric sums a dimension.
  const finish = add(choleskySolve(D), ops({ fma: 3 * D, fp: 3 * D }));
  // Memory a replicate-generation: accumulate reads θ̂ and the flags, writes flags, rhs and the Gram
  // (4Q × Q vec4s); finish reads them back, writes θ̂ and the metric row; the reduction reads the row;
  // the recovery snapshot gathers d + 4 words and reads them back to the host.
  const gram = 4 * Q * Q * 16, carried = (D + 4) * 4;
  const bytes = (Q + 1) * 16 + (1 + Q) * 16 + gram + (gram + (1 + Q) * 16) + Q * 16 + 2 * columns * 4 + 2 * carried;
  const perRg = (verified: boolean) => add(scale(verified ? add(sample, verifier) : sample, n), finish, ops({ bytes, hostBytes: carried }));
  // Generation 0 fits on n real samples (no verifier); generations 1..T on n synthetic ones, verified.
  const total = scale(add(perRg(false), scale(perRg(true), T)), R);
  return {
    key, title: key === 'w2' ? `W2 linear replace + ball verifier, R = ${R}` : `W2 at R = 2²⁰ (${R})`, unit: 'replicate-generations', units: R * (T + 1), total,
    note: `${n} samples a replicate-generation, each ${4 * Q + 1} normals (${Q + 0.25} Threefry calls: ~${Math.round(THREEFRY_INT_OPS * (Q + 0.25))} integer ops) and ${tiles * 16} Gram FMAs; `
      + `the Gram goes to memory between accumulate and finish (${gram} B)`,
  };
}

// ——— W3: linear accumulate, shaders/linear/linear_wide.wgsl (d = 64: 136 tile threads a replicate) ———
function w3(): Workload {
  const D = 64, Q = 16, n = 1024, T = 10, R = 4096;
  const tiles = (Q * (Q + 1)) / 2;
  const P = packedSize(D);
  const columns = linearColumnCount(D);
  // Per sample: draw phase — Q addresses, x = √Σ z, (x·θ, x·θ_c, ‖x‖²) per block (3 vec4 dots), the
  // label's θ selected; verify phase — the Q partial dots summed, a whole noise address for one
  // normal (4 normals computed, one used), y; update phase — each of the 136 tiles: w·x_a (4 muls),
  // the 4×4 outer product (16 FMAs), the rhs (4 FMAs), three counts.
  const draw = add(draws(Q, 4 * Q), ops({ fp: 4 * Q + 4 * Q, fma: 3 * 4 * Q }));
  const verify = add(draws(1, 4), ops({ fp: 4 * Q + 1 + 3, fma: 1 }));
  const update = ops({ fp: tiles * (4 + 3), fma: tiles * (16 + 4) });
  const sample = add(draw, verify, update);
  // finish: the column Cholesky in storage and thread 0's triangular solves; 4 metric sums a dimension.
  const finish = add(choleskySolve(D), ops({ fma: 3 * D, fp: 3 * D }));
  // Memory a replicate-generation: each tile reads and writes its 4 vec4s of the kept Gram, the rhs and
  // flags; finish reads the Gram's lower triangle, writes the packed factor and reads it back in the
  // solves, writes θ̂ and the metric row (read again by the reduction). Accumulate mode's recovery
  // snapshot carries the whole state (θ̂, flags, rhs, Gram, factor: linearStateFloats), gathered
  // and read back to the host every generation.
  const stateFloats = 4 * (2 * Q + 1 + 4 * Q * Q) + 4 * Math.ceil(P / 4);
  const bytes = tiles * 2 * 4 * 16 + 2 * (1 + Q) * 16 + P * 4 + 2 * P * 4 + Q * 16 + 2 * columns * 4 + 2 * stateFloats * 4;
  const perRg = add(scale(sample, n), finish, ops({ bytes, hostBytes: stateFloats * 4 }));
  return {
    key: 'w3', title: `W3 linear accumulate, d = ${D}, R = ${R}`, unit: 'replicate-generations', units: R * (T + 1), total: scale(perRg, R * (T + 1)),
    note: `${n} new samples a replicate-generation; per sample ${tiles} tiles × 20 FMAs and ${Q + 1} Threefry calls; `
      + `the recovery snapshot reads the whole state back every generation (${(stateFloats * 4 / 1024).toFixed(1)} KiB a replicate)`,
  };
}

// ——— W4: categorical, shaders/categorical/categorical.wgsl (a workgroup of 256 a replicate) ———
function w4(): Workload {
  const K = 4096, n = 1e5, T = 20, R = 1024, guide = 4096, wg = 256;
  // mulhilo32 as written (16-bit halves): 17 integer ops once the loop-invariant total's halves are hoisted.
  const MULHI = 17;
  // Per token: a quarter of an address; the real-coin test (a uniform from a zero word: shift,
  // conversion, FMA, compare); the scaled word (mulhilo32), its bucket, the guide's two entries, about
  // one step of the guided search, the workgroup-memory atomicAdd, the loops' tests.
  const token = add(draws(0.25, 0), ops({ int: 1 + MULHI + 1 + 3 + 6 + 1 + 4, sfu: 1, fma: 1, fp: 1 }));
  // Per replicate-generation: the scan of K counts (each thread sums its 16, then the totals before its
  // own: ~wg/2 reads a thread), the guide (4096 buckets × a 12-step search of the whole table), the metric
  // sums (per token a conversion, two divisions, a log, 8 FP ops). Memory: the previous count row read,
  // the new one written (K words each), the metric row.
  const perRg = add(
    scale(token, n),
    ops({ int: 2 * K + (wg * wg) / 2 * 2 + K + guide * (12 * 6 + MULHI) + 2 * K }),
    scale(add(ops({ sfu: 2, fp: 8 }), DIV, DIV), K),
    ops({ bytes: 2 * K * 4 + 2 * 4 * 4 }),
  );
  return {
    key: 'w4', title: `W4 categorical, K = ${K}, n = 10⁵, R = ${R}`, unit: 'replicate-generations', units: R * (T + 1), total: scale(perRg, R * (T + 1)),
    note: `${n.toExponential(0)} tokens a replicate-generation at ~${Math.round(token.int)} integer ops each (a quarter Threefry call, the 16-bit-halves mulhi, the guided search); `
      + 'counts in workgroup memory (needs 40 KiB of workgroup storage; with 32 KiB they are global atomics, which go to L2, not HBM)',
  };
}

// ——— W5: one round of yi-mnist-quick's filtered arm at R = 8 (bench/w5.ts's nominal FLOPs) ———
function w5(): Workload {
  const spec = w5Resolved(W5_REPLICATES);
  const flops = w5Flops(spec);
  const PIXELS = 784, CLASSES = 10, H = spec.hidden, dz = spec.latent;
  const enc = [PIXELS + CLASSES, H, 2 * dz], dec = [dz + CLASSES, H, PIXELS], ver = [PIXELS, ...spec.verifier.hidden, 1], cls = [784, 256, 128, 10];
  // One forward pass of `rows` through a network: each layer reads its input and weights, writes its output.
  const forward = (sizes: number[], rows: number) => 4 * sizes.slice(1).reduce((s, o, i) => s + rows * sizes[i] + sizes[i] * o + rows * o, 0);
  const params = (sizes: number[]) => sizes.slice(1).reduce((s, o, i) => s + sizes[i] * o + o, 0);
  // A training step: forward, input gradients, weight gradients (3× the forward's bytes, as the flops),
  // then Adam: parameters, gradients and both moments read, three written.
  const adam = (sizes: number[]) => 7 * 4 * params(sizes);
  const vb = spec.verifier.batch;
  const bytes = spec.verifier.steps * (forward(dec, vb / 2) + 3 * forward(ver, vb) + adam(ver))
    + forward(dec, candidatesDrawn(spec, 1)) + forward(ver, candidatesDrawn(spec, 1))
    + forward(dec, spec.evaluation.heldout) + forward(ver, 2 * spec.evaluation.heldout)
    + spec.steps * (3 * (forward(enc, spec.batch) + forward(dec, spec.batch)) + adam(enc) + adam(dec))
    + forward(enc, spec.evaluation.images) + forward(dec, spec.evaluation.images)
    + forward(dec, spec.evaluation.samples) + forward(cls, spec.evaluation.samples);
  const R = W5_REPLICATES;
  return {
    key: 'w5', title: `W5 one round of yi-mnist-quick, R = ${R}`, unit: 'replicate-rounds', units: R,
    total: ops({ fma: (flops.round / 2) * R, bytes: bytes * R }),
    note: `nominal FLOPs as bench/w5.ts counts them (${(flops.round / 1e9).toFixed(1)} GFLOP a replicate, all as FMAs); bytes: every dense op's operands once (no reuse through the `
      + `${H200.l2Bytes / 1e6} MB L2, which would hold a replicate's weights: an upper bound on HBM traffic) and Adam's 7 words a parameter a step; `
      + `${spec.steps} + ${spec.verifier.steps} sequential optimiser steps of batch ${spec.batch}: a round is thousands of small dispatches, so launch latency, not this roofline, will bind`,
  };
}

export interface RooflineRow extends Workload {
  flops: number;
  /** flops ÷ HBM bytes. */
  intensity: number;
  /** Seconds at each ceiling: FP32 slots, INT32, special functions, instruction issue, HBM, host link. */
  seconds: { fp32: number; int32: number; sfu: number; issue: number; hbm: number; host: number };
  bound: 'FP32' | 'INT32' | 'SFU' | 'issue' | 'HBM' | 'host link';
  /** The largest of the ceilings' times, and the rate it allows. */
  rooflineSeconds: number;
  perSecond: number;
}

const BOUND_NAMES: Record<keyof RooflineRow['seconds'], RooflineRow['bound']> = { fp32: 'FP32', int32: 'INT32', sfu: 'SFU', issue: 'issue', hbm: 'HBM', host: 'host link' };

export function rooflineRow(w: Workload, m: Machine = H200): RooflineRow {
  const t = w.total;
  const perSm = (lanes: number) => m.sms * lanes * m.clock;
  const seconds = {
    fp32: (t.fma + t.fp) / perSm(m.fp32Lanes),
    int32: t.int / perSm(m.int32Lanes),
    sfu: t.sfu / perSm(m.sfuLanes),
    issue: (t.fma + t.fp + t.int + t.sfu) / perSm(m.issueLanes),
    hbm: t.bytes / m.hbm,
    host: t.hostBytes / m.hostLink,
  };
  const [key, rooflineSeconds] = (Object.entries(seconds) as [keyof typeof seconds, number][]).sort((a, b) => b[1] - a[1])[0];
  const flops = 2 * t.fma + t.fp;
  return { ...w, flops, intensity: flops / t.bytes, seconds, bound: BOUND_NAMES[key], rooflineSeconds, perSecond: w.units / rooflineSeconds };
}

/** Every workload's roofline on `m` (default the H200). */
export function roofline(m: Machine = H200): RooflineRow[] {
  return [w1(), linearReplace('w2', 16384), linearReplace('w2xl', 1 << 20), w3(), w4(), w5()].map((w) => rooflineRow(w, m));
}

/** The assumptions, as the report states them. */
export function rooflineAssumptions(m: Machine = H200): string[] {
  const peak = fp32Peak(m);
  return [
    `Machine: ${m.name}: ${m.sms} SMs at ${(m.clock / 1e9).toFixed(2)} GHz; per SM and clock ${m.fp32Lanes} FP32 lanes (an FMA is 2 flops: ${(peak / 1e12).toFixed(1)} TFLOP/s FP32, non-tensor), `
      + `${m.int32Lanes} INT32 lanes (${(m.sms * m.int32Lanes * m.clock / 1e12).toFixed(1)} T ops/s), ${m.sfuLanes} special-function lanes for reciprocal, sqrt, log, sin, cos and int↔float conversions `
      + `(${(m.sms * m.sfuLanes * m.clock / 1e12).toFixed(1)} T/s), at most ${m.issueLanes} lane-instructions issued (4 schedulers × 32); HBM3e ${(m.hbm / 1e12).toFixed(1)} TB/s; `
      + `host link ${(m.hostLink / 1e9).toFixed(0)} GB/s each way (PCIe 5.0 ×16, nominal); ridge point ${(peak / m.hbm).toFixed(1)} flop/B.`,
    'WGSL reaches none of the tensor cores (no cooperative-matrix types in WebGPU), so the ceiling is the FP32 CUDA-core rate, not the ~990 TFLOP/s of dense bf16 or ~495 of TF32; '
      + 'nor can it issue a 64-bit integer multiply or a funnel shift by name (the rotates and mulhi are written out: whether the driver fuses them is not assumed).',
    'Operations are counted per lane from the kernels as written (shaders/yi-grid/yi_grid.wgsl, shaders/linear/linear.wgsl and linear_wide.wgsl, shaders/categorical/categorical.wgsl, '
      + 'shaders/random.wgsl, shaders/cholesky.wgsl; W5 from bench/w5.ts\'s nominal FLOPs), compares and selects as FP32 operations, address arithmetic and loop counters not counted; '
      + `a normal costs a quarter of a Threefry-4×32-20 call (${THREEFRY_INT_OPS} integer ops) plus Box–Muller's 3.5 special functions and conversions and 5.5 FP32 ops.`,
    'Bytes are what must cross HBM at least once: per-replicate state, Gram matrices stored between kernels, metric rows written and read by the reduction, count rows; '
      + 'inputs drawn in registers never reach memory; uniforms, parameters and tables that every thread reads are taken as cache hits. Host bytes are the per-generation recovery snapshots '
      + '(runExperiment\'s default); the reduced partials are negligible.',
    'Compute time is the slowest of the FP32, INT32, special-function and issue ceilings (the pipes overlap); the roofline time is the larger of it and the memory times. '
      + 'It leaves out every fixed cost: dispatch and submission latency, the per-generation read-back\'s round trip, planning on the host, pipeline compilation, and occupancy limits '
      + '(the linear kernel keeps a d = 16 Gram a thread in registers).',
  ];
}
