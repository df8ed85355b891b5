/**
 * Host side of shaders/curation/curation.wgsl: buffers, pipeline and bind groups for a run over every sweep
 * cell, planned from the device's limits, and one call per generation that returns each cell's metric sums
 * (reduced on the GPU by core's ColumnReducer). Twin: src/models/curation/twin.ts.
 */
import type { ResolvedCurationSpec } from './spec.js';
import type { CurationProblem } from './problem.js';
import { CURATION_COLUMNS, CurationMetric, addressesPerToken } from './twin.js';
import { wgslConstTable, type CellSums } from '../../core/engine/metrics.js';
import { snapshotArray, type Snapshot } from '../../core/engine/snapshot.js';
import type { StepperOptions } from '../../core/engine/model.js';
import type { GpuContext } from '../../core/adapter.js';
import { getPipeline, type Kernel } from '../../core/gpu/shader.js';
import curationSource from '../../../shaders/curation/curation.wgsl?raw';
import { alignTo, bufferFrom, readBack } from '../../core/gpu/dispatch.js';
import { ColumnReducer } from '../../core/gpu/reduce.js';
import { samplesPerBlock, type LoopCost } from '../../core/gpu/chunks.js';
import { BlockedRun } from '../../core/gpu/blocked.js';
import { readRows, writeRows } from '../../core/gpu/state.js';

const CURATION_KERNEL: Kernel = { name: 'curation', source: curationSource, libraries: [] };

const PARAMS_BYTES = 48;

/**
 * Loop iterations of the kernel per invocation as llvmpipe counts them (see samplesPerBlock), at the largest
 * K of the run. Measured there (one block of 70 000 tokens, counting the tokens drawn before the limit cut the
 * loop): a fresh token costs 6 + log₂V, a curated one 22 + K·(8 + log₂V) whatever the curators; one more per
 * candidate and two per token are kept in reserve.
 */
export function curationLoopCost(V: number, C: number, K: number): LoopCost {
  const bisection = Math.ceil(Math.log2(V));
  return {
    perFourSamples: 4 * (24 + K * (9 + bisection)),
    // The cumulative scan, zeroing the counts, the metrics with their loop over curators.
    perDispatch: 4 * (V + 1) * (C + 2),
    finish: 0,
  };
}

/** The problem's words as the kernel reads them (PROBLEM_* in the kernel). */
function problemWords(problem: CurationProblem): Uint32Array {
  const { V, curators } = problem, C = curators.length;
  const at = { probs: V, weights: 2 * V, rewards: 2 * V + C * V, exps: 2 * V + 2 * C * V, expm1s: 2 * V + 3 * C * V, mask: 2 * V + 4 * C * V };
  const curatorAt = at.mask + V;
  const words = new Uint32Array(curatorAt + 3 * C);
  const floats = new Float32Array(words.buffer);
  words.set(problem.starCumulative, 0);
  floats.set(problem.pStar, at.probs);
  words.set(problem.weights, at.weights);
  curators.forEach((curator, i) => {
    const top = Math.max(...curator.reward);
    for (let k = 0; k < V; k++) {
      floats[at.rewards + i * V + k] = curator.reward[k];
      floats[at.exps + i * V + k] = Math.exp(curator.reward[k] - top);
      floats[at.expm1s + i * V + k] = Math.expm1(curator.reward[k] - top);
      if (curator.reward[k] === top) words[at.mask + k] |= 1 << i;
    }
    words[curatorAt + i] = problem.curatorCumulative[i];
    floats[curatorAt + C + i] = curator.weight;
    floats[curatorAt + 2 * C + i] = top;
  });
  return words;
}

export class CurationGpu {
  private constructor(
    private readonly device: GPUDevice,
    private readonly cells: readonly ResolvedCurationSpec[],
    private readonly problem: CurationProblem,
    private readonly run: BlockedRun,
    private readonly blockSamples: number,
    private readonly shared: { cells: GPUBuffer; problem: GPUBuffer },
    private readonly replicateBase: number,
  ) {}

  /** `cells` share P*, the curators, replicates and seed; n, K and λ may differ. */
  static async create(gpu: GpuContext, cells: readonly ResolvedCurationSpec[], problem: CurationProblem, options: StepperOptions = {}): Promise<CurationGpu> {
    const { device } = gpu;
    const { limits } = device;
    const { V } = problem, C = problem.curators.length, R = cells[0].replicates;
    const largestN = Math.max(...cells.map((cell) => cell.n));
    const largestK = Math.max(...cells.map((cell) => cell.candidates));
    const blockSamples = Math.min(samplesPerBlock(gpu.adapter.loopIterationLimit, curationLoopCost(V, C, largestK), { name: 'candidates', value: largestK }), alignTo(largestN, 4));
    const reducer = await ColumnReducer.create(gpu, CURATION_COLUMNS);
    const workgroupSize = Math.min(64, limits.maxComputeWorkgroupSizeX, limits.maxComputeInvocationsPerWorkgroup);
    const pipeline = await getPipeline(device, {
      kernel: CURATION_KERNEL, entryPoint: 'step',
      consts: { V, C, COLUMNS: CURATION_COLUMNS, ...wgslConstTable('METRIC', CurationMetric) },
      constants: { WORKGROUP_SIZE: workgroupSize },
    });

    const shared = {
      cells: device.createBuffer({ label: 'cells', size: cells.length * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST }),
      problem: bufferFrom(device, problemWords(problem), GPUBufferUsage.STORAGE, 'problem'),
    };
    const run = BlockedRun.create(device, {
      pipeline, reducer, workgroupSize, cells: cells.length, replicates: R,
      blocks: Math.ceil(largestN / blockSamples), paramsBytes: PARAMS_BYTES, stateBytes: 2 * V * 4,
      chunkReplicates: options.chunkReplicates,
      // Each chunk its own metric rows: replicateMetrics reads every replicate's back.
      ownMetrics: true,
      bindings: (params, state, metrics) => [params, shared.cells, shared.problem, state, metrics],
    });
    return new CurationGpu(device, cells, problem, run, blockSamples, shared, options.firstReplicate ?? 0);
  }

  /** Generation t of every cell (t = 0: P* itself); generations must come in order. */
  step(t: number): Promise<CellSums[]> {
    const R = this.cells[0].replicates;
    const cellWords = new Uint32Array(this.cells.length * 4);
    this.cells.forEach((cell, c) => cellWords.set([cell.n, cell.realCounts[t], cell.candidates, addressesPerToken(cell.candidates)], 4 * c));
    this.device.queue.writeBuffer(this.shared.cells, 0, cellWords);
    const key = this.problem.key;
    // Generation 0 draws nothing: its one block writes P*'s metrics.
    return this.run.step(`curation generation ${t}`, (chunk, b) => new Uint32Array([key[0], key[1], t, chunk.offset, chunk.rows, R,
      b * this.blockSamples, (b + 1) * this.blockSamples, chunk.grid.rowPitch, this.replicateBase]), t === 0 ? 1 : undefined);
  }

  /** Every replicate's counts of p̂ (cell-major, V per replicate). */
  async replicateCounts(): Promise<Uint32Array> {
    return readRows(this.device, this.run.stateChunks, 2 * this.problem.V, this.problem.V);
  }

  /** Every replicate's metric row of the last generation (cell-major, CurationMetric order). */
  async replicateMetrics(): Promise<Float32Array> {
    const out = new Float32Array(this.cells.length * this.cells[0].replicates * CURATION_COLUMNS);
    for (const chunk of this.run.chunks) {
      out.set(new Float32Array(await readBack(this.device, chunk.metrics, chunk.rows * CURATION_COLUMNS * 4)), chunk.offset * CURATION_COLUMNS);
    }
    return out;
  }

  async snapshot(): Promise<Snapshot> {
    return { counts: await this.replicateCounts() };
  }

  async restore(snapshot: Snapshot): Promise<void> {
    const V = this.problem.V;
    const counts = snapshotArray(snapshot, 'counts', Uint32Array, this.cells.length * this.cells[0].replicates * V);
    await writeRows(this.device, this.run.stateChunks, 2 * V, V, counts);
  }

  destroy(): void {
    this.run.destroy();
    for (const buffer of Object.values(this.shared)) buffer.destroy();
  }
}
