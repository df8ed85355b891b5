/** Messages between the page (runner.ts) and the engine's worker (worker.ts). */
import type { AdapterDescription } from '../core/adapter.js';
import type { GenerationImage } from '../core/engine/model.js';
import type { RunResult, Stats } from '../core/engine/result.js';
import type { SpecIssue } from '../core/spec/errors.js';

/** Where runs execute: WebGPU on this adapter, or (no usable adapter) the float64 CPU twin. */
export type BackendInfo =
  | { webgpu: true; adapter: AdapterDescription }
  | { webgpu: false; reason: string };

export type ToWorker =
  /**
   * First message to a new worker: the assets' absolute URLs as the page resolved them (mnist-cvae's
   * digits and classifier), for a worker that cannot resolve its own (one started from a blob: URL).
   */
  | { type: 'init'; assets: Record<string, string> }
  | { type: 'probe' }
  | { type: 'run'; id: number; spec: unknown }
  | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'backend'; info: BackendInfo }
  | { type: 'generation'; id: number; cell: number; stats: Stats }
  /** An image the model drew after a generation (mnist-cvae: a cell's digit grid). */
  | { type: 'image'; id: number; image: GenerationImage }
  | { type: 'done'; id: number; result: RunResult }
  | { type: 'cancelled'; id: number }
  | { type: 'error'; id: number; message: string; issues?: SpecIssue[] };
