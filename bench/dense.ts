/**
 * Dense-layer microbenchmark: GFLOP/s of one batched `dense` op (src/core/nn/gpu.ts) per shape, per
 * adapter and per kernel variant (the workgroup-memory `tiled` kernel, shaders/nn/dense.wgsl, and the
 * `register` kernel, shaders/nn/dense_reg.wgsl, at several block shapes), all in the same run so
 * variants compare under the same machine load. The shapes are the MNIST CVAE's layers (R = 8
 * replicates of a 128-row batch: forward X·W with k = 794 (784 pixels + 10 labels, so rows are not
 * multiples of four), the decoder's [128 × 64]·[64 × 784], the weight gradient Xᵀ·dY, the input
 * gradient dY·Wᵀ) and one large single product. Timing: wall time of a batch of dispatches queued
 * at once (after warm-ups that compile the pipeline), until onSubmittedWorkDone, in rounds that
 * interleave the variants (the machine is shared: the best round and the median are reported);
 * 2·m·n·k flops per replicate. A shape may instead carry an engine op itself (`op` and `specs`: the
 * views, offsets and strides a program uses, so alignment and layout are the engine's), and the
 * variant 'engine' lets NnGpu pick the adapter's default (denseVariant): the suite's W5 times the
 * round's own dense ops that way (bench/w5.ts, `denseRowsOn`).
 */
import { acquireDevice } from '../src/core/gpu/device.js';
import { NnGpu, type DenseVariant } from '../src/core/nn/gpu.js';
import type { DenseOp, TensorSpec } from '../src/core/nn/program.js';
import type { AdapterPath, GpuContext } from '../src/core/adapter.js';
import { median } from './peak.js';

export interface DenseShape {
  name: string;
  replicates: number;
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  bias?: boolean;
  activation?: DenseOp['activation'];
  masked?: boolean;
  accumulate?: boolean;
  /** The engine's op itself (views with offsets and strides into `specs`' tensors), instead of one built from m, n, k. */
  op?: DenseOp;
  specs?: Record<string, TensorSpec>;
}

export const DENSE_SHAPES: DenseShape[] = [
  { name: 'X·W [128×794]·[794×64] +b relu', replicates: 8, m: 128, n: 64, k: 794, bias: true, activation: 'relu' },
  { name: 'H·W [128×64]·[64×784] +b', replicates: 8, m: 128, n: 784, k: 64, bias: true },
  { name: 'Xᵀ·dY [794×128]ᵀ·[128×64] acc', replicates: 8, m: 794, n: 64, k: 128, transA: true, accumulate: true },
  { name: 'dY·Wᵀ [128×64]·[794×64]ᵀ masked', replicates: 8, m: 128, n: 794, k: 64, transB: true, masked: true, activation: 'leaky' },
  { name: 'X·W [1000×784]·[784×256]', replicates: 1, m: 1000, n: 256, k: 784 },
];

export const DENSE_VARIANTS: Record<string, DenseVariant> = {
  tiled: { kernel: 'tiled' },
  'register 8×8': { kernel: 'register', tm: 8, tn: 8, wgX: 8, wgY: 8 },
  'register 16×8': { kernel: 'register', tm: 16, tn: 8, wgX: 8, wgY: 4 },
};

/** A variant, or 'engine': the adapter's default (NnGpu's denseVariant). */
export type DenseVariantChoice = DenseVariant | 'engine';

export interface DenseRow {
  path: AdapterPath;
  shape: string;
  variant: string;
  /** The best round's rate, and the median round's. */
  gflops: number;
  median: number;
  /** Dispatches timed in all. */
  repeats: number;
  /** Seconds to prepare the op and run it once (pipeline compilation: Mesa compiles at the first dispatch). */
  firstSeconds: number;
}

export interface DenseBenchOptions {
  paths?: AdapterPath[];
  shapes?: DenseShape[];
  variants?: Record<string, DenseVariantChoice>;
  /** Seconds of dispatches per shape and variant, over all rounds (repeat counts are sized from a warm-up). */
  targetSeconds?: number;
  /** Timed rounds per variant, interleaved. */
  rounds?: number;
  log?: (line: string) => void;
}

function opFor(shape: DenseShape): { op: DenseOp; specs: Record<string, TensorSpec> } {
  if (shape.op && shape.specs) return { op: shape.op, specs: shape.specs };
  const { m, n, k } = shape;
  const specs: Record<string, TensorSpec> = { a: { size: m * k }, b: { size: k * n }, c: { size: m * n }, bias: { size: n }, mask: { size: m * n } };
  const op: DenseOp = {
    op: 'dense',
    a: shape.transA ? { tensor: 'a', rows: k, cols: m } : { tensor: 'a', rows: m, cols: k },
    transA: shape.transA,
    b: shape.transB ? { tensor: 'b', rows: n, cols: k } : { tensor: 'b', rows: k, cols: n },
    transB: shape.transB,
    c: { tensor: 'c', rows: m, cols: n },
    bias: shape.bias ? { tensor: 'bias', rows: 1, cols: n } : undefined,
    activation: shape.activation,
    derivativeAt: shape.masked ? { tensor: 'mask', rows: m, cols: n } : undefined,
    accumulate: shape.accumulate,
  };
  return { op, specs };
}

export async function benchDense(options: DenseBenchOptions = {}): Promise<DenseRow[]> {
  const paths = options.paths ?? ['llvmpipe', 'swiftshader'];
  const rows: DenseRow[] = [];
  for (const path of paths) {
    const gpu = await acquireDevice({ adapter: path });
    try {
      rows.push(...await denseRowsOn(gpu, options));
    } finally {
      gpu.device.destroy();
    }
  }
  return rows;
}

/** benchDense on a device the caller holds (options.paths is ignored). */
export async function denseRowsOn(gpu: GpuContext, options: DenseBenchOptions = {}): Promise<DenseRow[]> {
  const path = gpu.adapter.path;
  const shapes = options.shapes ?? DENSE_SHAPES;
  const variants = options.variants ?? DENSE_VARIANTS;
  const target = options.targetSeconds ?? 2;
  const rounds = options.rounds ?? 5;
  const log = options.log ?? (() => {});
  const rows: DenseRow[] = [];
  for (const shape of shapes) {
    const { op, specs } = opFor(shape);
    const flops = 2 * shape.m * shape.n * shape.k * shape.replicates;
    const runs: { name: string; nn: NnGpu; time: (repeats: number) => Promise<number>; repeats: number; rates: number[]; first: number }[] = [];
    try {
      for (const [name, variant] of Object.entries(variants)) {
        const nn = new NnGpu(gpu, specs, shape.replicates, [1, 2], 0, variant === 'engine' ? {} : { dense: variant });
        runs.push({ name, nn, time: async () => 0, repeats: 1, rates: [], first: 0 });
        // Every input tensor (bounded values: sin), written once.
        const inputs = [op.a, op.b, op.bias, op.derivativeAt, op.accumulate ? op.c : undefined].filter((v): v is NonNullable<typeof v> => v !== undefined);
        for (const t of new Set(inputs.map((v) => v.tensor))) {
          const spec = specs[t];
          nn.write(t, new Float32Array(spec.size * (spec.shared ? 1 : shape.replicates)).map((_, i) => Math.sin(i * 0.7)));
        }
        const started = performance.now();
        const prepared = await nn.prepare([op]);
        const run = runs[runs.length - 1];
        run.time = async (repeats: number) => {
          const start = performance.now();
          nn.encode(prepared, repeats);
          await gpu.device.queue.onSubmittedWorkDone();
          return (performance.now() - start) / 1000;
        };
        await run.time(1); // compiles (Mesa compiles at the first dispatch)
        run.first = (performance.now() - started) / 1000;
        const once = await run.time(1);
        run.repeats = Math.max(1, Math.min(400, Math.round(target / rounds / Math.max(once, 1e-4))));
      }
      // Rounds interleave the variants, so a change in the machine's load hits all of them.
      for (let round = 0; round < rounds; round++) {
        for (const run of runs) run.rates.push(flops * run.repeats / await run.time(run.repeats) / 1e9);
      }
      for (const run of runs) {
        const row = { path, shape: shape.name, variant: run.name, gflops: Math.max(...run.rates), median: median(run.rates), repeats: run.repeats * rounds, firstSeconds: run.first };
        rows.push(row);
        log(`${path}\t${shape.name}\t${run.name}\t${row.gflops.toFixed(2)} GFLOP/s best, ${row.median.toFixed(2)} median of ${rounds}, first run ${row.firstSeconds.toFixed(2)} s`);
      }
    } finally {
      for (const run of runs) run.nn.destroy();
    }
  }
  return rows;
}

/**
 * W3's Gram phase alone (d = 64, linear accumulate): the engine's dense product over a block of
 * 256 staged samples, rows[256 × 64]ᵀ · rows[256 × 68] added into 64 × 68 per replicate
 * (src/models/linear/gpu.ts denseGram), at R = 512, the adapter's own dense variant; median GFLOP/s.
 */
export async function w3GramRate(gpu: GpuContext): Promise<number> {
  const [row] = await denseRowsOn(gpu, {
    shapes: [{ name: 'W3 Gram rows[256×64]ᵀ·rows[256×68] +=', replicates: 512, m: 64, n: 68, k: 256, transA: true, accumulate: true }],
    variants: { engine: 'engine' }, targetSeconds: 1.5, rounds: 3,
  });
  return row.median;
}
