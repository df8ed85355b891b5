/** Messages between the page (runner.ts) and the engine's worker (worker.ts). */
import type { AdapterDescription } from '../core/adapter.js';
import type { RunResult, Stats } from '../core/engine/result.js';
import type { SpecIssue } from '../core/spec/errors.js';

/** Where runs execute: WebGPU on this adapter, or (no usable adapter) the float64 CPU twin. */
export type BackendInfo =
  | { webgpu: true; adapter: AdapterDescription }
  | { webgpu: false; reason: string };

export type ToWorker =
  | { type: 'probe' }
  | { type: 'run'; id: number; spec: unknown }
  | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'backend'; info: BackendInfo }
  | { type: 'generation'; id: number; cell: number; stats: Stats }
  | { type: 'done'; id: number; result: RunResult }
  | { type: 'cancelled'; id: number }
  | { type: 'error'; id: number; message: string; issues?: SpecIssue[] };
