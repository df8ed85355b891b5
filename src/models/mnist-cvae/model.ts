/**
 * The MNIST conditional-VAE loop (docs/science.md, "Verified retraining of a neural generator") as
 * the engine sees it: spec, sweepable fields, metric columns, and a stepper that runs every cell's
 * replicates through src/models/mnist-cvae/loop.ts on the WebGPU executor (shaders/nn,
 * shaders/mnist-cvae) or the float64 twin. Cells run one after another (each filters its own way);
 * chunks of a cell's replicates too, each on the words of its replicates' global indices.
 */
import { parseMnistCvaeSpec, candidatesDrawn, type ResolvedMnistCvaeSpec } from './spec.js';
import { CvaeLayout, CvaeLoop, type RoundMetrics } from './loop.js';
import { frechetDistance, loadEvaluationData, type EvaluationData } from './evaluation.js';
import { NnGpu } from '../../core/nn/gpu.js';
import { NnTwin } from '../../core/nn/twin.js';
import { keyFromSeed } from '../../core/random/address.js';
import { standardError } from '../../core/engine/stats.js';
import { finishingStepper, type Runner } from '../../core/engine/stepper.js';
import { checkSweepCells } from '../../core/engine/experiment.js';
import { emptySums, type CellSums } from '../../core/engine/metrics.js';
import { joinSnapshots, type Snapshot } from '../../core/engine/snapshot.js';
import type { Backend, GenerationRecord, MetricColumn, ModelDefinition, ReplicateRows, Stepper, StepperOptions } from '../../core/engine/model.js';
import { mnistCvaeView } from './view.js';

export interface MnistCvaeGeneration extends GenerationRecord {
  /** Test negative ELBO on the evaluation images, nats per image. */
  nelbo: number | null;
  nelboSE: number | null;
  /** Fréchet distance of generated images to the evaluation images in the classifier's features. */
  fid: number | null;
  fidSE: number | null;
  /** The classifier's accuracy on generated images against their conditioning labels. */
  accuracy: number | null;
  accuracySE: number | null;
  /** The verifier's held-out accuracy (real evaluation images against the generator it filtered); null where none filtered. */
  verifierAccuracy: number | null;
  verifierAccuracySE: number | null;
  /** Candidates drawn this round, per replicate. */
  candidates: number;
  [metric: string]: number | null;
}

const COLUMNS: MetricColumn[] = [
  { key: 'nelbo', label: 'NELBO', se: 'nelboSE' },
  { key: 'fid', label: 'FID', se: 'fidSE' },
  { key: 'accuracy', label: 'accuracy', se: 'accuracySE' },
  { key: 'verifierAccuracy', label: 'verifier acc.', se: 'verifierAccuracySE' },
  { key: 'candidates', label: 'candidates' },
];

/** Per-replicate values summed per cell, in this order. */
const Sum = { nelbo: 0, fid: 1, accuracy: 2, verifierAccuracy: 3 } as const;
const SUMS = 4;

/** Fields a sweep may vary: neither changes a tensor's shape. */
const SWEEPABLE = ['keepFraction', 'realFraction'] as const;

/** Most replicates one executor holds: the dispatch's z dimension. */
const MAX_CHUNK = 65_535;

export function finish(t: number, cell: ResolvedMnistCvaeSpec, { sum, sumSquares }: CellSums): MnistCvaeGeneration {
  const n = cell.replicates;
  const mean = (c: number) => sum[c] / n;
  const filtered = t > 0 && cell.keepFraction < 1;
  return {
    t,
    nelbo: mean(Sum.nelbo), nelboSE: standardError(sum[Sum.nelbo], sumSquares[Sum.nelbo], n),
    fid: mean(Sum.fid), fidSE: standardError(sum[Sum.fid], sumSquares[Sum.fid], n),
    accuracy: mean(Sum.accuracy), accuracySE: standardError(sum[Sum.accuracy], sumSquares[Sum.accuracy], n),
    verifierAccuracy: filtered ? mean(Sum.verifierAccuracy) : null,
    verifierAccuracySE: filtered ? standardError(sum[Sum.verifierAccuracy], sumSquares[Sum.verifierAccuracy], n) : null,
    candidates: candidatesDrawn(cell, t),
  };
}

interface Chunk {
  cell: number;
  first: number;
  replicates: number;
  loop: CvaeLoop;
}

/** Bytes a replicate's tensors take on a backend (f32 on WebGPU, f64 in the twin; u32 data both). */
function replicateBytes(layout: CvaeLayout, backend: 'webgpu' | 'cpu'): { total: number; largest: number } {
  const sizes = Object.values(layout.tensors).filter((t) => !t.shared).map((t) => t.size * (t.type === 'u32' || backend === 'webgpu' ? 4 : 8));
  return { total: sizes.reduce((s, v) => s + v, 0), largest: Math.max(...sizes) };
}

class CvaeRunner implements Runner {
  /** Per cell, per replicate: the last round's metrics (for replicateRows). */
  private last: Float64Array[] = [];

  constructor(private readonly cells: readonly ResolvedMnistCvaeSpec[], private readonly chunks: Chunk[], private readonly data: EvaluationData,
    private readonly onImage?: StepperOptions['onImage']) {}

  async step(t: number): Promise<CellSums[]> {
    const sums = this.cells.map(() => emptySums(SUMS));
    this.last = this.cells.map((cell) => new Float64Array(cell.replicates * SUMS));
    for (const chunk of this.chunks) {
      const cell = this.cells[chunk.cell];
      const metrics = await chunk.loop.round(t);
      this.add(sums[chunk.cell], this.last[chunk.cell], chunk, metrics, cell);
      if (this.onImage && chunk.first === 0) {
        this.onImage({ cell: chunk.cell, t, name: 'digits', width: 280, height: 280, gray: await chunk.loop.grid() });
      }
    }
    return sums;
  }

  private add(sums: CellSums, rows: Float64Array, chunk: Chunk, metrics: RoundMetrics, cell: ResolvedMnistCvaeSpec): void {
    const width = this.data.featureMean.length;
    for (let r = 0; r < chunk.replicates; r++) {
      const fid = frechetDistance(this.data, metrics.featureSums.subarray(r * width, (r + 1) * width),
        metrics.featureGram.subarray(r * width * width, (r + 1) * width * width), cell.evaluation.samples);
      const values = [metrics.nelbo[r], fid, metrics.accuracy[r], metrics.verifierAccuracy?.[r] ?? 0];
      values.forEach((v, c) => {
        sums.sum[c] += v;
        sums.sumSquares[c] += v * v;
        rows[(chunk.first + r) * SUMS + c] = v;
      });
    }
  }

  replicateRows(): ReplicateRows {
    const all = new Float64Array(this.last.reduce((n, rows) => n + rows.length, 0));
    this.last.reduce((at, rows) => (all.set(rows, at), at + rows.length), 0);
    return { metrics: all };
  }

  async snapshot(): Promise<Snapshot> {
    // Chunks in cell-major replicate order: joined as the core joins per-cell snapshots.
    return joinSnapshots(await Promise.all(this.chunks.map((chunk) => chunk.loop.carried())));
  }

  async restore(snapshot: Snapshot): Promise<void> {
    let at: Record<string, number> = {};
    for (const chunk of this.chunks) {
      const carried: Record<string, Float32Array | Uint32Array> = {};
      for (const [name, array] of Object.entries(snapshot)) {
        const total = this.chunks.reduce((n, c) => n + c.replicates, 0);
        const size = array.length / total;
        const start = at[name] ?? 0;
        carried[name] = array.subarray(start, start + size * chunk.replicates) as Float32Array | Uint32Array;
        at = { ...at, [name]: start + size * chunk.replicates };
      }
      chunk.loop.restore(carried);
    }
  }

  destroy(): void {
    for (const chunk of this.chunks) chunk.loop.destroy();
  }
}

export async function createMnistCvaeStepper(cells: ResolvedMnistCvaeSpec[], backend: Backend, options: StepperOptions): Promise<Stepper<MnistCvaeGeneration>> {
  checkSweepCells(mnistCvaeModel, cells);
  const data = await loadEvaluationData();
  const sizes = [data.classifier.layers[0].inputs, ...data.classifier.layers.map((l) => l.outputs)];
  const key = keyFromSeed(cells[0].seed);
  const base = options.firstReplicate ?? 0;
  const R = cells[0].replicates;
  const chunks: Chunk[] = [];
  try {
    for (const [c, cell] of cells.entries()) {
      const layout = new CvaeLayout(cell, sizes);
      let most = Math.min(R, MAX_CHUNK);
      if (backend.kind === 'webgpu') {
        const { limits } = backend.gpu.device;
        most = Math.min(most, Math.floor(Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) / replicateBytes(layout, 'webgpu').largest));
        if (most < 1) throw new RangeError(`hidden: a replicate's largest tensor needs ${replicateBytes(layout, 'webgpu').largest} bytes, beyond this device's storage binding size; lower hidden, chunk or the evaluation sizes`);
      }
      const size = Math.min(options.chunkReplicates ?? most, most);
      for (let first = 0; first < R; first += size) {
        const replicates = Math.min(size, R - first);
        const tensors = layout.withData(data);
        const executor = backend.kind === 'webgpu'
          ? new NnGpu(backend.gpu, tensors, replicates, key, base + first)
          : new NnTwin(tensors, replicates, key, base + first);
        chunks.push({ cell: c, first, replicates, loop: await CvaeLoop.create(layout, executor, data) });
      }
    }
  } catch (error) {
    for (const chunk of chunks) chunk.loop.destroy();
    throw error;
  }
  const runner = new CvaeRunner(cells, chunks, data, options.onImage);
  return finishingStepper(cells, runner, finish, () => runner.replicateRows());
}

export const mnistCvaeModel: ModelDefinition<ResolvedMnistCvaeSpec, MnistCvaeGeneration> = {
  model: 'mnist-cvae',
  view: mnistCvaeView,
  parse: parseMnistCvaeSpec,
  sweepable: SWEEPABLE,
  derivedFields: ['kept'],
  // Each replicate's metrics are summed on the host in float64: a shard may start at any replicate.
  shardBlock: 1,
  columns: () => COLUMNS,
  describe: (spec) => `CVAE ${spec.hidden}/${spec.latent}, ${spec.steps} steps a round, keep ${spec.keepFraction} of chunks of ${spec.chunk}`
    + `${spec.realFraction ? `, real ${spec.realFraction}` : ''}${spec.accumulate ? ', accumulate' : ''} · T = ${spec.generations}, R = ${spec.replicates}`,
  createStepper: createMnistCvaeStepper,
  finish,
  memoryBytes(cells, backend) {
    // Every cell's replicates hold their tensors for the whole run; the classifier's input sizes are fixed (784 → 256 → 128 → 10).
    return cells.reduce((n, cell) => n + cell.replicates * replicateBytes(new CvaeLayout(cell, [784, 256, 128, 10]), backend).total, 0);
  },
};

