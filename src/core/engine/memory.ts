/**
 * The memory plan: before a run allocates anything, the bytes its replicates will hold at the
 * peak (each model's `memoryBytes`: device buffers on WebGPU, which a software adapter keeps in
 * host memory; typed arrays on the twin) against a budget. Past it the run is refused with the
 * largest replicate count that fits, instead of growing until the machine runs out.
 */
import { SpecError } from '../spec/errors.js';
import type { AnyModel, CommonSpec } from './model.js';

/**
 * What a run holds beyond its models' own buffers and arrays: drivers (llvmpipe and SwiftShader
 * too) may keep a second copy of a buffer, and a run keeps results and temporaries. Measured peak
 * RSS growth over a 64-replicate run, on llvmpipe and the twin (nine presets at 4 096–262 144
 * replicates), was 1.0–2.1× the models' own figures.
 */
const OVERHEAD = 2;

/** The budget when the caller gives none (the CLI gives half the machine's memory). */
export const DEFAULT_MEMORY_BUDGET = 4 * 2 ** 30;

export const formatBytes = (bytes: number) =>
  bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;

/** Bytes the run's replicates need on `backend`; throws a SpecError on `replicates` past `budget`. */
export function planMemory(model: AnyModel, cells: readonly CommonSpec[], backend: 'webgpu' | 'cpu', budget: number): number {
  const bytes = OVERHEAD * model.memoryBytes(cells, backend);
  if (bytes <= budget) return bytes;
  // Every model's bytes grow in proportion to the replicates, so the largest R that fits scales.
  const { replicates } = cells[0];
  const fits = Math.floor(replicates * (budget / bytes));
  throw new SpecError([{
    path: 'replicates',
    message: `${replicates}${cells.length > 1 ? ` in each of ${cells.length} cells` : ''} would need ${formatBytes(bytes)} on ${backend === 'cpu' ? 'the CPU twin' : 'WebGPU'}, beyond the memory budget of ${formatBytes(budget)}; at most ${fits} fit (or raise the budget: --max-memory)`,
  }]);
}
