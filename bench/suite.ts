/**
 * The benchmark suite of issue 6: W1–W4 on every working adapter and on the float64 twin, the
 * peak microbenchmarks (bench/peak.ts), the numpy peers (bench/peers/numpy_peer.py) and the JAX
 * peers (bench/peers/jax_peer.py) of W1 and W2, W5 (one round of yi-mnist-quick, its dense phase and
 * the JAX peer: bench/w5.ts) on every adapter, with bench/results.json and bench/RESULTS.md written
 * from one run (`npm run bench`).
 *
 * Where the full workload would take too long on a backend, a documented fraction runs (fewer
 * sweep cells for W1 — every k-th bias of the 300, all 150 radii, so per-cell work is the same —
 * or fewer replicates for W2–W4; per-replicate work is unchanged) and the full-size time is
 * extrapolated linearly from it and labelled as such. Times are wall clock of `runExperiment`
 * after a small warm-up run that compiles the pipelines: they include planning, every dispatch
 * and the per-generation read-backs. Where the adapter has timestamp queries, the same run also
 * records every pass's GPU time (src/core/gpu/timing.ts), per kernel. Every row also records the
 * process's CPU time over the timed run (process.cpuUsage, user + system: Dawn's and llvmpipe's
 * threads are in-process) ÷ its wall time, i.e. how many cores were busy; the peers report the same
 * from Python (time.process_time over the timed computation).
 *
 * Agreement: W2 compares mse at t = 20 (engine, numpy, JAX). W1 compares each estimator's mean loss
 * ± SE over the 100 replicates at the probe cells W1_PROBES, which every size run contains (the
 * engine's full grid, the 3 biases of the twin and SwiftShader, the numpy peer's 30, the JAX peer's 300).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { acquireDevice, probeAdapters } from '../src/core/gpu/device.js';
import { type AdapterPath, type GpuContext } from '../src/core/adapter.js';
import { runExperiment, parseSpec } from '../src/models/index.js';
import { gramMultiplyAddsPerSample, peakFor, type PeakRow } from './peak.js';
import { PassTimer, setActiveTimer } from '../src/core/gpu/timing.js';
import { w3GramRate } from './dense.js';
import { W5_REPLICATES, W5_SIZES, cpuSecondsSince, w5Agreement, w5Config, w5Dense, w5Engine, w5Peer, type W5DenseRow, type W5EngineRow, type W5PeerRow, type W5Result } from './w5.js';

export type WorkloadName = 'w1' | 'w2' | 'w3' | 'w4' | 'w5' | 'w2xl';
/** The suite's default workloads (`npm run bench`); w2xl, W2 at a GPU's scale, runs only when named. */
export const WORKLOAD_NAMES: WorkloadName[] = ['w1', 'w2', 'w3', 'w4', 'w5'];
/** The workloads of the generic runner (W5 has its own: bench/w5.ts). */
type GenericWorkload = Exclude<WorkloadName, 'w5'>;
type BackendKind = AdapterPath | 'twin';

interface Size {
  /** Replicates per cell. */
  replicates: number;
  /** W1 only: biases run (every 300/k-th of the grid's). */
  biasCount?: number;
}

interface Workload {
  name: GenericWorkload;
  title: string;
  full: Size;
  /** Size per backend (the full size where absent). */
  sizes: Partial<Record<BackendKind, Size>>;
  spec(size: Size, backend: 'webgpu' | 'cpu'): Record<string, unknown>;
  warmup: Size;
  /** Replicate-generations of a run of this size. */
  replicateGenerations(size: Size): number;
  /** Standard normals per replicate-generation (from the kernels' headers), or 0. */
  normalsPerReplicateGeneration: number;
  /** Multiply-adds of the Gram phase per replicate-generation, counted as the kernel does (lower 4×4 blocks). */
  gramMultiplyAddsPerReplicateGeneration: number;
  /** Other draws per replicate-generation worth a rate (W4: tokens). */
  tokensPerReplicateGeneration?: number;
}

const q = (d: number) => Math.ceil(d / 4);

const YI = { d: 5, n1: 100, n2: 100, biasCount: 300, radiusCount: 150 };

/**
 * W1 cells whose per-estimator mean loss ± SE the engine and the peers compare: [index of the 300
 * biases, index of the 150 radii] — biases 0, 0.0836, 0.167 × radii 0.01, 0.253, 0.5. Every size
 * run contains them (thinned runs keep biases 0, 100, 200 of the 300).
 */
export const W1_PROBES: readonly (readonly [number, number])[] = [0, 100, 200].flatMap((b) => [0, 74, 149].map((r) => [b, r] as const));
const W1_PROBE_ARG = W1_PROBES.map(([b, r]) => `${b}:${r}`).join(',');
const w1Bias = (index: number) => (0.25 * index) / (YI.biasCount - 1);
const w1Radius = (index: number) => (index === YI.radiusCount - 1 ? 0.5 : 0.01 + ((0.5 - 0.01) * index) / (YI.radiusCount - 1));

/** One W1 probe cell's statistics (engine or peer): estimator k's mean loss and its SE over the replicates. */
export interface W1Probe {
  biasIndex: number;
  radiusIndex: number;
  bias: number;
  radius: number;
  loss: (number | null)[];
  lossSE: (number | null)[];
}
const linearSpec = (mode: string, d: number, n: number, T: number, verifier: boolean) => (size: Size, backend: 'webgpu' | 'cpu') => ({
  model: 'linear', mode, d, n0: n, n, generations: T, replicates: size.replicates, seed: 'bench', backend,
  ...(verifier ? { verifier: { kind: 'ball', bias: 0.1, radius: 0.5, direction: 'ones' } } : {}),
});

export const WORKLOADS: Record<GenericWorkload, Workload> = {
  w1: {
    name: 'w1',
    title: 'W1 yi-grid preset: 300 × 150 cells × 100 replicates, d = 5, n₁ = n₂ = 100 (one round)',
    full: { replicates: 100, biasCount: 300 },
    sizes: { swiftshader: { replicates: 100, biasCount: 3 }, twin: { replicates: 100, biasCount: 3 } },
    // 2 × 150 cells: enough to share samples (yi-grid's shared layout), so its pipelines compile here, not in the timed run.
    warmup: { replicates: 100, biasCount: 2 },
    spec: (size, backend) => ({
      model: 'yi-grid', d: YI.d, sigma: 1, n1: YI.n1, n2: YI.n2, replicates: size.replicates, seed: 'bench', backend,
      sweep: {
        // Every k-th bias of the preset's 300 (same values as the full grid), all 150 radii.
        bias: Array.from({ length: size.biasCount! }, (_, i) => (0.25 * i * Math.floor(YI.biasCount / size.biasCount!)) / (YI.biasCount - 1)),
        radius: { start: 0.01, stop: 0.5, count: YI.radiusCount },
      },
    }),
    replicateGenerations: (size) => size.replicates * size.biasCount! * YI.radiusCount,
    // The normals each cell's study uses: per real and synthetic sample d inputs and one label noise
    // (the shared layout draws them once per workgroup of cells, so fewer are drawn: a rate of use).
    normalsPerReplicateGeneration: (YI.n1 + YI.n2) * (YI.d + 1),
    // Packed fits (shaders/yi-grid/yi_grid.wgsl), d(d+1)/2 + d multiply-adds a sample: θ̂₁'s over the
    // n₁ real samples, θ̂₂'s and θ̂₃'s over the n₂ synthetic (θ̂₀'s once per group, not counted).
    gramMultiplyAddsPerReplicateGeneration: (YI.n1 + 2 * YI.n2) * ((YI.d * (YI.d + 1)) / 2 + YI.d),
  },
  w2: {
    name: 'w2',
    title: 'W2 linear replace + ball verifier: R = 16384, d = 16, n = 512, T = 20',
    full: { replicates: 16384 },
    sizes: { swiftshader: { replicates: 1024 }, twin: { replicates: 64 } },
    warmup: { replicates: 256 },
    spec: linearSpec('replace', 16, 512, 20, true),
    replicateGenerations: (size) => size.replicates * 21,
    // Q addresses of 4 normals for the inputs, one label noise (linear.wgsl header).
    normalsPerReplicateGeneration: 512 * (4 * q(16) + 1),
    gramMultiplyAddsPerReplicateGeneration: 512 * gramMultiplyAddsPerSample(16),
  },
  w2xl: {
    name: 'w2xl',
    title: 'W2 at a GPU\'s scale: R = 1 048 576 (2²⁰), otherwise as W2 (d = 16, n = 512, T = 20, ball verifier)',
    full: { replicates: 1 << 20 },
    // On a CPU adapter this is W2 again at more replicates: the fractions stay small.
    sizes: { llvmpipe: { replicates: 16384 }, swiftshader: { replicates: 1024 }, twin: { replicates: 64 } },
    warmup: { replicates: 256 },
    spec: linearSpec('replace', 16, 512, 20, true),
    replicateGenerations: (size) => size.replicates * 21,
    normalsPerReplicateGeneration: 512 * (4 * q(16) + 1),
    gramMultiplyAddsPerReplicateGeneration: 512 * gramMultiplyAddsPerSample(16),
  },
  w3: {
    name: 'w3',
    title: 'W3 linear accumulate: R = 4096, d = 64, n = 1024, T = 10',
    full: { replicates: 4096 },
    sizes: { llvmpipe: { replicates: 512 }, swiftshader: { replicates: 32 }, twin: { replicates: 16 } },
    warmup: { replicates: 16 },
    spec: linearSpec('accumulate', 64, 1024, 10, false),
    replicateGenerations: (size) => size.replicates * 11,
    normalsPerReplicateGeneration: 1024 * (4 * q(64) + 1),
    // Accumulate adds each generation's n new samples to the kept sums: a dense product of d × 4(⌊d/4⌋ + 1)
    // multiply-adds a sample (XᵀWX, XᵀWy and padding; shaders/linear/linear_wide.wgsl).
    gramMultiplyAddsPerReplicateGeneration: 1024 * 64 * 68,
  },
  w4: {
    name: 'w4',
    title: 'W4 categorical: K = 4096 (Dirichlet(1) P*), n = 10⁵, R = 1024, T = 20',
    full: { replicates: 1024 },
    sizes: { llvmpipe: { replicates: 256 }, swiftshader: { replicates: 32 }, twin: { replicates: 16 } },
    warmup: { replicates: 4 },
    spec: (size, backend) => ({
      model: 'categorical', probs: { kind: 'dirichlet', k: 4096 }, n0: 100000, generations: 20,
      replicates: size.replicates, seed: 'bench', backend,
    }),
    replicateGenerations: (size) => size.replicates * 21,
    normalsPerReplicateGeneration: 0,
    gramMultiplyAddsPerReplicateGeneration: 0,
    tokensPerReplicateGeneration: 100000,
  },
};

export interface WorkloadRow {
  workload: GenericWorkload;
  backend: string;
  kind: BackendKind;
  /** Share of the full workload this run did (1 = full). */
  fraction: number;
  size: Size;
  seconds: number;
  /** seconds / fraction: measured when fraction = 1, else extrapolated. */
  fullSeconds: number;
  extrapolated: boolean;
  replicateGenerations: number;
  replicateGenerationsPerSecond: number;
  normalsPerSecond: number | null;
  tokensPerSecond: number | null;
  /** Gram-phase flops over the whole run's wall time (a lower bound on the phase's own rate); GPU only. */
  gramGflops: number | null;
  /** gramGflops / the adapter's measured FMA peak. */
  gramFractionOfPeak: number | null;
  /** Sum of every pass's GPU time from timestamp queries (adapters that have them), and per kernel. */
  gpuSeconds: number | null;
  gpuKernels: Record<string, { seconds: number; passes: number }> | null;
  /** Engine statistic for a sanity check against the peer (W2: mse at t = T, W1: null). */
  check: { mse: number; mseSE: number } | null;
  /** Process CPU seconds (user + system, every thread) over the timed run, and ÷ its wall time: cores busy. */
  cpuSeconds?: number;
  cpuUtilisation?: number;
  /** W1: the probe cells' statistics (W1_PROBES). */
  probes?: W1Probe[] | null;
}

/** The W1 probe cells a run contains, with each estimator's mean loss ± SE. */
function w1Probes(cells: { params: Record<string, number>; generations: Record<string, number | null>[] }[] | undefined): W1Probe[] {
  const out: W1Probe[] = [];
  for (const [biasIndex, radiusIndex] of W1_PROBES) {
    const bias = w1Bias(biasIndex), radius = w1Radius(radiusIndex);
    const cell = cells?.find((c) => Math.abs(c.params.bias - bias) < 1e-9 && Math.abs(c.params.radius - radius) < 1e-9);
    const g = cell?.generations[0];
    if (!g) continue;
    out.push({ biasIndex, radiusIndex, bias, radius, loss: [0, 1, 2, 3].map((k) => g[`loss${k}`] ?? null), lossSE: [0, 1, 2, 3].map((k) => g[`loss${k}SE`] ?? null) });
  }
  return out;
}

async function runOne(w: Workload, kind: BackendKind, gpu: GpuContext | undefined, peak: PeakRow | undefined, smoke = false): Promise<WorkloadRow> {
  // A smoke run (a check that everything runs, not a measurement) times the warm-up size.
  const size = smoke ? w.warmup : w.sizes[kind] ?? w.full;
  const backend = kind === 'twin' ? 'cpu' : 'webgpu';
  await runExperiment(parseSpec(w.spec(w.warmup, backend)), { gpu }); // compile pipelines
  const timer = gpu ? PassTimer.create(gpu) : null;
  setActiveTimer(timer);
  let result, cpuSeconds: number, wallSeconds: number;
  try {
    const cpu = process.cpuUsage(), wall = performance.now();
    result = await runExperiment(parseSpec(w.spec(size, backend)), { gpu });
    cpuSeconds = cpuSecondsSince(cpu);
    wallSeconds = (performance.now() - wall) / 1000;
    await timer?.collect();
  } finally {
    setActiveTimer(null);
  }
  const gpuTime = timer?.totals() ?? null;
  timer?.destroy();
  const seconds = result.elapsedSeconds;
  const rg = w.replicateGenerations(size);
  const fraction = rg / w.replicateGenerations(w.full);
  const gramFlops = 2 * w.gramMultiplyAddsPerReplicateGeneration * rg;
  const gramGflops = kind !== 'twin' && gramFlops > 0 ? gramFlops / seconds / 1e9 : null;
  const last = result.generations.at(-1) as Record<string, number | null> | undefined;
  return {
    workload: w.name,
    backend: kind === 'twin' ? 'cpu twin (float64, one core)' : `${kind} (${gpu!.adapter.description})`,
    kind, fraction, size, seconds,
    fullSeconds: seconds / fraction,
    extrapolated: fraction < 1,
    replicateGenerations: rg,
    replicateGenerationsPerSecond: rg / seconds,
    normalsPerSecond: w.normalsPerReplicateGeneration ? (w.normalsPerReplicateGeneration * rg) / seconds : null,
    tokensPerSecond: w.tokensPerReplicateGeneration ? (w.tokensPerReplicateGeneration * rg) / seconds : null,
    gramGflops,
    gramFractionOfPeak: gramGflops !== null && peak ? gramGflops / peak.fmaGflops : null,
    gpuSeconds: gpuTime?.total ?? null,
    gpuKernels: gpuTime?.kernels ?? null,
    check: w.name === 'w2' && last && typeof last.mse === 'number' ? { mse: last.mse, mseSE: last.mseSE as number } : null,
    cpuSeconds, cpuUtilisation: cpuSeconds / wallSeconds,
    probes: w.name === 'w1' ? w1Probes(result.cells) : null,
  };
}

export interface PeerRow {
  workload: 'w1' | 'w2';
  /** numpy_peer.py or jax_peer.py (absent in runs from before the JAX peer: numpy). */
  peer?: 'numpy' | 'jax';
  ok: boolean;
  note: string;
  python?: string;
  fraction?: number;
  seconds?: number;
  fullSeconds?: number;
  replicateGenerationsPerSecond?: number;
  blas?: unknown;
  numpy?: string;
  mse?: number;
  mseSE?: number;
  args?: string[];
  /** Process CPU seconds ÷ wall seconds over the timed computation (Python's time.process_time): cores busy. */
  cpuUtilisation?: number;
  /** JAX: seconds of the ahead-of-time compile (not in `seconds`), the timed runs' seconds (`seconds` is the fastest), versions and devices. */
  compileSeconds?: number;
  repeats?: number[];
  jax?: { version?: string; devices?: number; prng?: string; xla_flags?: string };
  /** W1: mean loss of each estimator over every cell run, and the probe cells' statistics. */
  meanLoss?: number[];
  probes?: W1Probe[];
}

/** Which peer a row is (rows saved before the JAX peer existed are numpy's). */
export const peerKind = (p: PeerRow): 'numpy' | 'jax' => p.peer ?? 'numpy';

/** The interpreter for the peer: SYNTHLOOP_PYTHON, else Debian's /usr/bin/python3 if it has numpy, else python3 on PATH. */
function findPython(env: NodeJS.ProcessEnv): { python: string | null; tried: string[] } {
  const candidates = [process.env.SYNTHLOOP_PYTHON, existsSync('/usr/bin/python3') ? '/usr/bin/python3' : undefined, 'python3'].filter((c): c is string => Boolean(c));
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import numpy'], { env, encoding: 'utf8' });
    if (probe.status === 0) return { python, tried: candidates };
  }
  return { python: null, tried: candidates };
}

export const PEER_SCRIPT = `${process.cwd()}/bench/peers/numpy_peer.py`;

export function runPeer(workload: 'w1' | 'w2'): PeerRow {
  // The BLAS picks its own kernel: OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE set on this machine are dropped.
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const { python, tried } = findPython(env);
  if (!python) return { workload, peer: 'numpy', ok: false, note: `numpy missing (tried ${tried.join(', ')}): apt-get install -y python3-numpy` };
  // W1: 30 of the 300 biases (10 % of the cells); W2: 2048 of the 16384 replicates (1/8).
  const args = workload === 'w1'
    ? ['w1', '--bias-count', '30', '--full-bias-count', '300', '--radius-count', '150', '--replicates', '100', '--probe', W1_PROBE_ARG]
    : ['w2', '--replicates', '2048', '--d', '16', '--n', '512', '--generations', '20'];
  const fraction = workload === 'w1' ? 0.1 : 2048 / 16384;
  const run = spawnSync(python, [PEER_SCRIPT, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) return { workload, peer: 'numpy', ok: false, note: `peer failed: ${(run.stderr || run.error?.message || '').trim().split('\n').at(-1)}`, python };
  const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
  return {
    workload, peer: 'numpy', ok: true, python, args, fraction, note: `${Math.round(fraction * 1000) / 10} % of the workload, full time extrapolated`,
    seconds: out.seconds, fullSeconds: out.seconds / fraction,
    replicateGenerationsPerSecond: out.replicateGenerations / out.seconds,
    blas: out.blas, numpy: out.numpy, mse: out.mse, mseSE: out.mseSE,
    cpuUtilisation: out.cpuUtilisation, meanLoss: out.meanLoss, probes: out.probes,
  };
}

export const JAX_PEER_SCRIPT = `${process.cwd()}/bench/peers/jax_peer.py`;

/**
 * The JAX peer's arguments: W1 whole (about 2 s on this machine's 2 cores), W2 2 048 of the 16 384
 * replicates (1/8, as numpy; extrapolated), each the fastest of 2 runs of the compiled computation.
 */
export function jaxPeerArgs(workload: 'w1' | 'w2'): { args: string[]; fraction: number } {
  return workload === 'w1'
    ? { args: ['w1', '--bias-count', '300', '--full-bias-count', '300', '--radius-count', '150', '--replicates', '100', '--probe', W1_PROBE_ARG, '--repeats', '2'], fraction: 1 }
    : { args: ['w2', '--replicates', '2048', '--d', '16', '--n', '512', '--generations', '20', '--block', '256', '--repeats', '2'], fraction: 2048 / 16384 };
}

const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

/** bench/.venv's interpreter (bench/peers/python-env.mjs makes it on first use: a few minutes), or why not. */
function jaxInterpreter(): { python: string } | { error: string } {
  const env = spawnSync(process.execPath, [`${process.cwd()}/bench/peers/python-env.mjs`], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (env.status !== 0) return { error: `jax venv not made: ${lastLine(env.stderr || env.error?.message || '')}` };
  return { python: lastLine(env.stdout) };
}

/** The JAX (CPU, float32) peer of W1 or W2 (bench/peers/jax_peer.py) in bench/.venv. */
export function runJaxPeer(workload: 'w1' | 'w2', log: (line: string) => void = () => {}): PeerRow {
  const interpreter = jaxInterpreter();
  if ('error' in interpreter) return { workload, peer: 'jax', ok: false, note: interpreter.error };
  const { python } = interpreter;
  const { args, fraction } = jaxPeerArgs(workload);
  log(`  jax peer: ${python} jax_peer.py ${args.join(' ')}`);
  const run = spawnSync(python, [JAX_PEER_SCRIPT, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) return { workload, peer: 'jax', ok: false, note: `peer failed: ${lastLine(run.stderr || run.error?.message || '')}`, python, args };
  const out = JSON.parse(lastLine(run.stdout));
  return {
    workload, peer: 'jax', ok: true, python, args, fraction,
    note: fraction === 1 ? 'the full workload' : `${Math.round(fraction * 1000) / 10} % of the workload, full time extrapolated`,
    seconds: out.seconds, fullSeconds: out.seconds / fraction,
    replicateGenerationsPerSecond: out.replicateGenerations / out.seconds,
    mse: out.mse ?? undefined, mseSE: out.mseSE ?? undefined,
    cpuUtilisation: out.cpuUtilisation, compileSeconds: out.compileSeconds, repeats: out.repeats, jax: out.jax,
    meanLoss: out.meanLoss, probes: out.probes,
  };
}

/** One comparison of a statistic between the engine and a peer: z = (peer − engine) ÷ √(SE² + SE²). */
export interface AgreementItem {
  label: string;
  engine: number;
  engineSE: number;
  peer: number;
  peerSE: number;
  z: number;
}

export interface PeerAgreement {
  peer: 'numpy' | 'jax';
  items: AgreementItem[];
  /** max |z| over the items, and how many have |z| > 2. */
  maxAbsZ: number;
  over2: number;
}

const ESTIMATORS = ['θ̂₀', 'θ̂₁', 'θ̂₂', 'θ̂₃'];

/**
 * The engine row's statistics against a peer's, within Monte Carlo error. W2: mse at t = 20. W1: each
 * estimator's mean loss at the probe cells both contain — θ̂₀ once (it does not depend on the cell:
 * every cell of a replicate shares its real samples), θ̂₁–θ̂₃ at each cell. The engine and a peer are
 * independent, so the SE of a difference is √(SE² + SE²); cells of one run share random numbers, so the
 * z-scores of one comparison are correlated and their count above 2 is not binomial.
 */
export function peerAgreement(engine: WorkloadRow, peer: PeerRow): PeerAgreement | null {
  if (!peer.ok) return null;
  const items: AgreementItem[] = [];
  const push = (label: string, e: number | null | undefined, eSE: number | null | undefined, p: number | null | undefined, pSE: number | null | undefined) => {
    if (e == null || eSE == null || p == null || pSE == null) return;
    items.push({ label, engine: e, engineSE: eSE, peer: p, peerSE: pSE, z: (p - e) / Math.hypot(eSE, pSE) });
  };
  if (engine.workload === 'w2' && engine.check) push('mse at t = 20', engine.check.mse, engine.check.mseSE, peer.mse, peer.mseSE);
  if (engine.workload === 'w1') {
    let first = true;
    for (const pp of peer.probes ?? []) {
      const ep = engine.probes?.find((e) => e.biasIndex === pp.biasIndex && e.radiusIndex === pp.radiusIndex);
      if (!ep) continue;
      for (let k = first ? 0 : 1; k < 4; k++) push(`${ESTIMATORS[k]} at bias ${ep.bias.toFixed(3)}, radius ${ep.radius.toFixed(3)}`, ep.loss[k], ep.lossSE[k], pp.loss[k], pp.lossSE[k]);
      first = false;
    }
  }
  if (!items.length) return null;
  return { peer: peerKind(peer), items, maxAbsZ: Math.max(...items.map((i) => Math.abs(i.z))), over2: items.filter((i) => Math.abs(i.z) > 2).length };
}

/** A peer's run in one line, for the log. */
export function peerLine(p: PeerRow): string {
  if (!p.ok) return `  not run: ${p.note}`;
  return `  ${p.seconds!.toFixed(2)} s (${p.note}; full ${p.fullSeconds!.toFixed(1)} s), ${p.replicateGenerationsPerSecond!.toFixed(0)} rg/s, `
    + `${p.cpuUtilisation !== undefined ? `${p.cpuUtilisation.toFixed(2)} cores busy` : 'cores busy not recorded'}${p.compileSeconds !== undefined ? `, compile ${p.compileSeconds.toFixed(1)} s` : ''}`;
}

export interface SuiteResult {
  date: string;
  command: string;
  /** What the time budget (SuiteOptions.deadline) left out; absent when nothing was. */
  skipped?: string[];
  /** A smoke run: every workload at its warm-up size, W5 at R = 1 and 5 steps; not a measurement. */
  smoke?: boolean;
  machine: { cpus: string; cores: number; memoryGiB: number; node: string; platform: string; load: number[] };
  adapters: unknown[];
  peaks: PeakRow[];
  workloads: WorkloadRow[];
  peers: PeerRow[];
  /** W5 (bench/w5.ts), where it ran. */
  w5?: W5Result;
}

export interface SuiteOptions {
  workloads?: WorkloadName[];
  /** Adapter paths to run (default: every one that works here, probed first). */
  paths?: AdapterPath[];
  peak?: boolean;
  twin?: boolean;
  peers?: boolean;
  log?: (line: string) => void;
  /** W5's replicates per adapter, in order (default: [W5_SIZES[path] ?? 8]); later ones run only while the budget lasts. */
  w5Replicates?: number[];
  /** Every workload at its warm-up size, W5 at R = 1 and 5 steps a phase, a short dense phase: proves the build runs. */
  smoke?: boolean;
  /** Date.now() past which nothing more starts (what is left out is listed in `skipped`). */
  deadline?: number;
  /** Called with the result so far after every workload (a run cut short still leaves its rows). */
  onPartial?: (result: SuiteResult) => void;
  /** The command line recorded in the result (default `npm run bench`). */
  command?: string;
}

export async function runSuite(options: SuiteOptions = {}): Promise<SuiteResult> {
  const log = options.log ?? (() => {});
  const names = options.workloads ?? WORKLOAD_NAMES;
  // With paths named, only those are opened (their descriptions come from the devices used).
  const probes: Awaited<ReturnType<typeof probeAdapters>> = options.paths ? [] : await probeAdapters();
  const paths = options.paths ?? probes.filter((p) => p.ok).map((p) => p.path);
  const peaks: PeakRow[] = [];
  const rows: WorkloadRow[] = [];
  const generic = names.filter((n): n is GenericWorkload => n !== 'w5');
  const w5Engines: W5EngineRow[] = [];
  const w5Denses: W5DenseRow[] = [];
  const skipped: string[] = [];
  const smoke = options.smoke ?? false;
  /** False (and the item listed as skipped) once the deadline has passed. */
  const inBudget = (what: string, needsSeconds = 0) => {
    if (options.deadline === undefined || Date.now() + 1000 * needsSeconds <= options.deadline) return true;
    skipped.push(what);
    log(`  skipped ${what}: time budget`);
    return false;
  };
  const snapshot = (peers: PeerRow[], w5?: W5Result): SuiteResult => {
    const cpus = os.cpus();
    return {
      date: new Date().toISOString(),
      command: options.command ?? 'npm run bench',
      ...(skipped.length ? { skipped: [...skipped] } : {}),
      ...(smoke ? { smoke } : {}),
      machine: {
        cpus: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version, platform: `${os.platform()} ${os.release()} ${os.arch()}`, load: os.loadavg().map((x) => Math.round(x * 100) / 100),
      },
      adapters: probes.map((p) => (p.ok ? { path: p.path, ok: true, description: p.adapter.description, vendor: p.adapter.vendor, architecture: p.adapter.architecture, featureLevel: p.adapter.featureLevel, features: p.adapter.features, timestampQuery: p.adapter.timestampQuery, loopIterationLimit: p.adapter.loopIterationLimit, ...(options.paths ? { limits: p.adapter.limits } : {}) } : p)),
      peaks: [...peaks], workloads: [...rows], peers, ...(w5 ? { w5 } : {}),
    };
  };
  const w5So = (): W5Result | undefined => (w5Engines.length ? { config: w5Config(), engine: [...w5Engines], dense: [...w5Denses], peer: null, agreement: null } : undefined);
  const partial = () => options.onPartial?.(snapshot([], w5So()));
  for (const path of paths) {
    const gpu = await acquireDevice({ adapter: path });
    if (options.paths) {
      const a = gpu.adapter;
      probes.push({ path, ok: true, adapter: a });
      log(`${path}: ${a.description} (${a.vendor}/${a.architecture}), ${a.featureLevel} level, features [${a.features.join(', ')}]`);
    }
    try {
      let peak: PeakRow | undefined;
      if (options.peak !== false && inBudget(`peak on ${path}`)) {
        log(`peak on ${path}…`);
        peak = await peakFor(gpu, smoke ? { targetSeconds: 0.05, repeats: 1 } : undefined);
        if (!smoke) {
          const w3 = await w3GramRate(gpu);
          peak.gram.push({ d: 64, samplesPerUpdate: 256, gflops: w3, fractionOfPeak: w3 / peak.fmaGflops, timing: 'wall', kernel: 'W3\'s dense product, bench/dense.ts' });
        }
        peaks.push(peak);
        partial();
      }
      for (const name of generic) {
        if (!inBudget(`${name} on ${path}`)) continue;
        log(`${name} on ${path}…`);
        const row = await runOne(WORKLOADS[name], path, gpu, peak, smoke);
        log(`  ${row.seconds.toFixed(2)} s (${(row.fraction * 100).toPrecision(3)} %), ${row.replicateGenerationsPerSecond.toFixed(0)} rg/s`);
        rows.push(row);
        partial();
      }
      if (names.includes('w5')) {
        const sizes = smoke ? [1] : options.w5Replicates ?? [W5_SIZES[path] ?? W5_REPLICATES];
        let last: W5EngineRow | undefined;
        for (const [i, replicates] of sizes.entries()) {
          // A later size runs only if the time left covers the last round scaled to it, three times over.
          const needs = last ? 3 * (last.warmupSeconds + last.round0Seconds + last.seconds) * Math.max(1, replicates / last.replicates) : 0;
          if (!inBudget(`w5 at R = ${replicates} on ${path}`, needs)) break;
          log(`w5 on ${path} at R = ${replicates}…`);
          const engine = await w5Engine(path, gpu, log, smoke ? { replicates, steps: 5, verifierSteps: 5 } : { replicates });
          log(`  round 1: ${engine.seconds.toFixed(2)} s at R = ${engine.replicates}${engine.extrapolated ? ` (R = ${engine.fullReplicates}: ${engine.fullSeconds.toFixed(1)} s extrapolated)` : ''}, `
            + `${engine.replicateRoundsPerSecond.toFixed(3)} replicate-rounds/s, ${engine.gflops.toFixed(2)} GFLOP/s, NELBO ${engine.nelbo?.toFixed(2)} ± ${engine.nelboSE?.toFixed(2)}`);
          w5Engines.push(engine);
          last = engine;
          partial();
          if (i === 0 && inBudget(`w5 dense phase on ${path}`)) {
            log(`w5 dense phase on ${path}…`);
            w5Denses.push(await w5Dense(path, gpu, peak, log, smoke ? { targetSeconds: 0.01, rounds: 1 } : undefined));
            partial();
          }
        }
      }
    } finally {
      gpu.device.destroy();
    }
  }
  if (options.twin !== false) {
    for (const name of generic) {
      if (!inBudget(`${name} on the twin`)) continue;
      log(`${name} on the twin…`);
      const row = await runOne(WORKLOADS[name], 'twin', undefined, undefined, smoke);
      log(`  ${row.seconds.toFixed(2)} s (${(row.fraction * 100).toPrecision(3)} %), ${row.replicateGenerationsPerSecond.toFixed(0)} rg/s`);
      rows.push(row);
    }
  }
  const peers: PeerRow[] = [];
  if (options.peers !== false) {
    for (const w of ['w1', 'w2'] as const) {
      if (!names.includes(w)) continue;
      log(`numpy peer ${w}…`);
      peers.push(runPeer(w));
      log(peerLine(peers.at(-1)!));
      log(`jax peer ${w}…`);
      peers.push(runJaxPeer(w, log));
      log(peerLine(peers.at(-1)!));
    }
  }
  let w5: W5Result | undefined;
  if (names.includes('w5')) {
    let peer: W5PeerRow | null = null;
    if (options.peers !== false) {
      log('jax peer w5…');
      peer = w5Peer(log);
      log(peer.ok ? `  ${peer.seconds!.toFixed(2)} s, ${peer.replicateRoundsPerSecond!.toFixed(3)} replicate-rounds/s, ${peer.gflops!.toFixed(2)} GFLOP/s, NELBO ${peer.nelbo!.toFixed(2)} ± ${peer.nelboSE!.toFixed(2)}` : `  not run: ${peer.note}`);
    }
    w5 = { config: w5Config(), engine: w5Engines, dense: w5Denses, peer, agreement: w5Agreement(w5Engines, peer) };
  }
  return snapshot(peers, w5);
}
