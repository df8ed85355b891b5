/**
 * Linear retraining throughput: replicate-generations per second for a replace-mode run
 * with the verifier ball (the reference workload: R = 16384, d = 16, n = 512,
 * T = 20) on every working adapter and on the float64 twin (which runs fewer replicates,
 * since its rate per replicate does not depend on how many there are).
 */
import { probeAdapters, acquireDevice } from '../src/core/gpu/device.js';
import { type AdapterPath } from '../src/core/adapter.js';
import { runExperiment } from '../src/models/index.js';
import { parseLinearSpec } from '../src/models/linear/spec.js';

export interface LinearBenchRow {
  backend: string;
  replicates: number;
  generations: number;
  seconds: number;
  replicateGenerationsPerSecond: number;
  /** Standard normals drawn per second (inputs and label noise). */
  normalsPerSecond: number;
}

export interface LinearBenchOptions {
  replicates?: number;
  twinReplicates?: number;
  d?: number;
  n?: number;
  generations?: number;
  paths?: AdapterPath[];
}

export async function benchLinear(options: LinearBenchOptions = {}): Promise<LinearBenchRow[]> {
  const { replicates = 16384, twinReplicates = 64, d = 16, n = 512, generations = 20 } = options;
  const specFor = (R: number, backend: 'webgpu' | 'cpu') => parseLinearSpec({
    model: 'linear', mode: 'replace', d, n0: n, n, generations, replicates: R, seed: 'bench', backend,
    verifier: { kind: 'ball', bias: 0.1, radius: 0.5, direction: 'ones' },
  });
  // Normals per sample: d inputs rounded up to a whole address of 4, plus one label noise.
  const normalsPerSample = Math.ceil(d / 4) * 4 + 1;
  const row = (backend: string, R: number, seconds: number): LinearBenchRow => ({
    backend, replicates: R, generations: generations + 1, seconds,
    replicateGenerationsPerSecond: (R * (generations + 1)) / seconds,
    normalsPerSecond: (R * (generations + 1) * n * normalsPerSample) / seconds,
  });
  const rows: LinearBenchRow[] = [];
  const paths = options.paths ?? (await probeAdapters()).filter((p) => p.ok).map((p) => p.path);
  for (const path of paths) {
    const gpu = await acquireDevice({ adapter: path });
    await runExperiment(specFor(256, 'webgpu'), { gpu }); // compile pipelines
    const result = await runExperiment(specFor(replicates, 'webgpu'), { gpu });
    rows.push(row(`${path} (${gpu.adapter.description})`, replicates, result.elapsedSeconds));
    gpu.device.destroy();
  }
  const twin = await runExperiment(specFor(twinReplicates, 'cpu'));
  rows.push(row('cpu twin (float64, one core)', twinReplicates, twin.elapsedSeconds));
  return rows;
}
