/**
 * Host side of shaders/yi-grid/yi_grid.wgsl: every replicate of every cell, reduced per cell; only
 * the partials come back. Twin: src/models/yi-grid/twin.ts.
 *
 * Cells that share n₁, n₂ and σ (a group: a bias × radius × slack grid is one) see the same samples —
 * the words depend on the replicate only — so the shared layout draws each replicate's samples once
 * per workgroup of up to 64 (GPUs) or 512 cells (CPU adapters: 8 an invocation) (study_shared),
 * after θ̂₀ once per group and replicate (fit_real).
 * Other sweeps run a thread per replicate of a cell (study). Both compute a cell the same way, bit
 * for bit. Chunks hold whole cells.
 */
import type { ResolvedYiGridSpec } from './spec.js';
import { keyFromSeed } from '../../core/random/address.js';
import type { MetricSums } from '../../core/engine/metrics.js';
import type { StepperOptions } from '../../core/engine/model.js';
import { YI_COLUMNS, yiColumnDeclarations } from './columns.js';
import { packedSize } from '../../core/cpu/cholesky.js';
import { isCpuAdapter, type GpuContext } from '../../core/adapter.js';
import { CHOLESKY, getPipeline, type Kernel } from '../../core/gpu/shader.js';
import yiGridSource from '../../../shaders/yi-grid/yi_grid.wgsl?raw';
import { bufferFrom, encodeDispatch, gridFor, readBack } from '../../core/gpu/dispatch.js';
import { bindBuffers, planChunks, readCellSums, type ChunkRange } from '../../core/gpu/chunks.js';
import { ColumnReducer, type ReduceBinding } from '../../core/gpu/reduce.js';

const YI_GRID_KERNEL: Kernel = { name: 'yi_grid', source: yiGridSource, libraries: [CHOLESKY] };

const WORKGROUP_SIZE = 64;
/** Samples per workgroup tile of the shared layout: a quad per thread. */
const TILE = 4 * WORKGROUP_SIZE;
/**
 * The shared layout up to this d (measured at d = 5; the tile, TILE·(⌈d/4⌉ + 1) vec4s, fits WebGPU's
 * 16 KiB of workgroup memory up to d = 12, and 8 cells' three packed fits grow as d²).
 */
const MAX_SHARED_D = 8;

/**
 * Cells per invocation of the shared layout. On SIMD CPU adapters a workgroup-memory read is a
 * load per lane even when every lane reads the same sample, so an invocation runs 8 cells per
 * read (W1 on llvmpipe: 1 → 10.0 s, 2 → 7.6 s, 4 → 6.0 s, 8 → 6.25 s before the solves were
 * expanded, 4.96 s after; 16: 5.3 s). GPUs broadcast such a read: a cell per invocation.
 */
export const cellsPerThread = (gpu: GpuContext) => (isCpuAdapter(gpu.adapter) ? 8 : 1);

export type YiGridLayout = 'per-replicate' | 'shared';

/** Cells that see the same samples and θ̂₀: equal n₁, n₂ and σ. Each group's cells in order. */
export function sampleGroups(cells: readonly ResolvedYiGridSpec[], indices: readonly number[] = cells.map((_, c) => c)): number[][] {
  const groups = new Map<string, number[]>();
  for (const c of indices) {
    const key = `${cells[c].n1} ${cells[c].n2} ${cells[c].sigma}`;
    const group = groups.get(key);
    if (group) group.push(c);
    else groups.set(key, [c]);
  }
  return [...groups.values()];
}

/**
 * The shared layout where it does less work: d ≤ 8 and groups that fill at least half of their
 * workgroups' cell slots (a lone cell of 100 000 replicates would leave all but one idle).
 */
export function chooseLayout(cells: readonly ResolvedYiGridSpec[], perThread: number): YiGridLayout {
  if (cells[0].d > MAX_SHARED_D) return 'per-replicate';
  const slots = WORKGROUP_SIZE * perThread;
  const used = sampleGroups(cells).reduce((n, group) => n + Math.ceil(group.length / slots) * slots, 0);
  return 2 * cells.length >= used ? 'shared' : 'per-replicate';
}

/**
 * The most iterations any one loop of an invocation runs: some adapters end a loop past a limit
 * (llvmpipe: 65 535, measured at acquisition by one loop). The limit is per loop, not per
 * invocation: on llvmpipe d = 20, n₁ = n₂ = 100 (~185 000 loop iterations in all, none over 51)
 * equals the twin, while one loop of 75 000 (n₂ = 300 000 samples, four a trip) is cut short.
 * Both layouts' longest loop is over quads of samples (study, fit_real); the rest run ≤ d or ≤ TILE.
 */
export function longestLoop(d: number, n1: number, n2: number): number {
  return Math.max(Math.ceil(Math.max(n1, n2) / 4), d, TILE) + 1;
}

type Chunk = ChunkRange & { stagingOffset: number; reduce: ReduceBinding };

export class YiGridGpu {
  private constructor(
    private readonly device: GPUDevice,
    private readonly cells: readonly ResolvedYiGridSpec[],
    readonly layout: YiGridLayout,
    private readonly run: () => GPUCommandBuffer,
    private readonly reducer: ColumnReducer,
    private readonly chunks: Chunk[],
    private readonly buffers: { staging: GPUBuffer; metrics: GPUBuffer; all: GPUBuffer[] },
  ) {}

  /** `layout` forces one (tests compare them); by default chooseLayout's. */
  static async create(gpu: GpuContext, cells: readonly ResolvedYiGridSpec[], options: StepperOptions = {}, layout?: YiGridLayout): Promise<YiGridGpu> {
    const { device } = gpu;
    const { d, replicates: R } = cells[0];
    if (layout === 'shared' && d > MAX_SHARED_D) throw new RangeError(`layout: the shared layout needs d ≤ ${MAX_SHARED_D}, got d = ${d}`);
    const perThread = cellsPerThread(gpu);
    const chosen = layout ?? chooseLayout(cells, perThread);
    const limit = gpu.adapter.loopIterationLimit;
    const worst = cells.reduce((a, c) => (Math.max(c.n1, c.n2) > Math.max(a.n1, a.n2) ? c : a));
    if (limit !== null && longestLoop(d, worst.n1, worst.n2) > limit) {
      throw new RangeError(`n1: yi-grid runs each replicate's samples in one loop, and this adapter ends a loop after ${limit} iterations; n1 = ${worst.n1}, n2 = ${worst.n2} (four samples an iteration) is too many: at most ${4 * (limit - 1)} each, or use another adapter`);
    }
    const Q = Math.ceil(d / 4);
    const variant = (entryPoint: string) => getPipeline(device, {
      kernel: YI_GRID_KERNEL, entryPoint,
      consts: { D: d, Q, P: packedSize(d), TILE, CELLS_PER_THREAD: perThread, ...yiColumnDeclarations() }, constants: { WORKGROUP_SIZE },
    });
    const reducer = await ColumnReducer.create(gpu, YI_COLUMNS);
    const ranges = planChunks(device.limits, { cells: cells.length, replicates: R, bytesPerReplicate: YI_COLUMNS * 4, reducer, requested: options.chunkReplicates, d });
    const largest = ranges[0].rows;

    const cellData = new Float32Array(cells.length * 8);
    cells.forEach((c, i) => cellData.set([c.n1, c.n2, c.sigma, 0, c.bias, c.radius, c.slack, 0], i * 8));
    const cellBuffer = bufferFrom(device, cellData, GPUBufferUsage.STORAGE, 'yi cells');
    const metrics = device.createBuffer({ label: 'yi metrics', size: largest * YI_COLUMNS * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const partials = device.createBuffer({ label: 'yi partials', size: reducer.partialBytes(largest, ranges[0].segmentRows), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const key = keyFromSeed(cells[0].seed);
    const firstReplicate = options.firstReplicate ?? 0;
    const all = [cellBuffer, metrics, partials];
    const uniform = (offset: number, rows: number, rowPitch: number, tileCount = 0) => {
      const buffer = bufferFrom(device, new Uint32Array([key[0], key[1], offset, rows, R, rowPitch, firstReplicate, tileCount]), GPUBufferUsage.UNIFORM);
      all.push(buffer);
      return buffer;
    };

    // Per chunk the dispatches that fill its metric rows.
    let fill: ((range: ChunkRange) => Promise<(encoder: GPUCommandEncoder) => void>);
    if (chosen === 'per-replicate') {
      const study = await variant('study');
      fill = async (range) => {
        const grid = gridFor(range.rows, WORKGROUP_SIZE, device.limits);
        const bindGroup = bindBuffers(device, study, { 0: uniform(range.offset, range.rows, grid.rowPitch), 1: cellBuffer, 2: metrics });
        return (encoder) => encodeDispatch(encoder, study, bindGroup, grid.workgroups);
      };
    } else {
      const [fitReal, shared] = await Promise.all([variant('fit_real'), variant('study_shared')]);
      const plans = ranges.map((range) => sharedPlan(cells, range, R, WORKGROUP_SIZE * perThread));
      const fitBytes = Math.max(...plans.map((p) => p.groupCells.length)) * R * (Q + 1) * 16;
      const realFits = device.createBuffer({ label: 'yi real fits', size: fitBytes, usage: GPUBufferUsage.STORAGE });
      all.push(realFits);
      let next = 0;
      fill = async (range) => {
        const plan = plans[next++];
        const tables = [plan.tiles, plan.tileCells, plan.groupCells].map((data) => bufferFrom(device, data, GPUBufferUsage.STORAGE));
        all.push(...tables);
        const [tiles, tileCells, groupCells] = tables;
        const fitGrid = gridFor(plan.groupCells.length * R, WORKGROUP_SIZE, device.limits);
        const fitBind = bindBuffers(device, fitReal, { 0: uniform(range.offset, plan.groupCells.length * R, fitGrid.rowPitch), 1: cellBuffer, 3: realFits, 6: groupCells });
        const tileCount = plan.tiles.length / 4;
        const studyGrid = gridFor(tileCount * R * WORKGROUP_SIZE, WORKGROUP_SIZE, device.limits);
        const studyBind = bindBuffers(device, shared, {
          0: uniform(range.offset, range.rows, studyGrid.rowPitch, tileCount), 1: cellBuffer, 2: metrics,
          3: realFits, 4: tiles, 5: tileCells, 6: groupCells,
        });
        return (encoder) => {
          encodeDispatch(encoder, fitReal, fitBind, fitGrid.workgroups);
          encodeDispatch(encoder, shared, studyBind, studyGrid.workgroups);
        };
      };
    }

    const chunks: Chunk[] = [];
    const passes: ((encoder: GPUCommandEncoder) => void)[] = [];
    let stagingBytes = 0;
    for (const range of ranges) {
      const dispatch = await fill(range);
      const reduce = reducer.bind(metrics, range.rows, partials, range.segmentRows);
      all.push(reduce.params);
      const stagingOffset = stagingBytes, bytes = reducer.partialBytes(range.rows, range.segmentRows);
      chunks.push({ ...range, stagingOffset, reduce });
      stagingBytes += bytes;
      passes.push((encoder) => {
        dispatch(encoder);
        reducer.encode(encoder, reduce);
        encoder.copyBufferToBuffer(partials, 0, staging, stagingOffset, bytes);
      });
    }
    const staging = device.createBuffer({ label: 'yi staging', size: stagingBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    all.push(staging);
    const run = () => {
      const encoder = device.createCommandEncoder({ label: 'yi-grid' });
      for (const pass of passes) pass(encoder);
      return encoder.finish();
    };
    return new YiGridGpu(device, cells, chosen, run, reducer, chunks, { staging, metrics, all });
  }

  /** Runs the study; each cell's metric sums. */
  async step(): Promise<MetricSums[]> {
    this.device.queue.submit([this.run()]);
    return readCellSums(this.buffers.staging, this.reducer, this.cells.length, this.chunks);
  }

  /** Every replicate's metric row after `step` (runs of one chunk only), read back on request. */
  async rows(): Promise<Float32Array> {
    if (this.chunks.length !== 1) throw new Error('rows: only for runs that fit one chunk');
    const rows = this.chunks[0].rows;
    return new Float32Array(await readBack(this.device, this.buffers.metrics, rows * YI_COLUMNS * 4));
  }

  destroy(): void {
    for (const buffer of this.buffers.all) buffer.destroy();
  }
}

/**
 * One chunk's tables for study_shared: its cells' groups (a slot each: one of its cells), each
 * group's cells in tiles of at most `perTile` (slot, first entry of tileCells, count, 0).
 */
function sharedPlan(cells: readonly ResolvedYiGridSpec[], range: ChunkRange, R: number, perTile: number) {
  if (range.rows % R !== 0) throw new RangeError('chunkReplicates: the shared layout runs whole cells per chunk');
  const indices = Array.from({ length: range.rows / R }, (_, i) => range.firstCell + i);
  const groups = sampleGroups(cells, indices);
  const tiles: number[] = [];
  const tileCells: number[] = [];
  groups.forEach((group, slot) => {
    for (let first = 0; first < group.length; first += perTile) {
      const members = group.slice(first, first + perTile);
      tiles.push(slot, tileCells.length, members.length, 0);
      tileCells.push(...members);
    }
  });
  return { tiles: new Uint32Array(tiles), tileCells: new Uint32Array(tileCells), groupCells: new Uint32Array(groups.map((g) => g[0])) };
}
