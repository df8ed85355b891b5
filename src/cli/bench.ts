// `synthloop bench <workload>`: throughput on every working adapter and the twin (bench/).
import Table from 'cli-table3';
import { benchRng } from '../../bench/rng.js';
import { benchLinear } from '../../bench/linear.js';
import type { AdapterPath } from '../gpu/device.js';

const millions = (x: number) => `${(x / 1e6).toFixed(1)} M`;

const WORKLOADS = {
  rng: {
    run: (paths?: AdapterPath[]) => benchRng({ paths }),
    head: ['backend', 'generator', 'normals', 'seconds', 'normals/s'],
    cells: (r: Awaited<ReturnType<typeof benchRng>>[number]) =>
      [r.backend, r.generator, r.normals.toExponential(2), r.seconds.toFixed(3), millions(r.normalsPerSecond)],
  },
  linear: {
    run: (paths?: AdapterPath[]) => benchLinear({ paths }),
    head: ['backend', 'replicates', 'generations', 'seconds', 'replicate-generations/s', 'normals/s'],
    cells: (r: Awaited<ReturnType<typeof benchLinear>>[number]) =>
      [r.backend, String(r.replicates), String(r.generations), r.seconds.toFixed(2), r.replicateGenerationsPerSecond.toFixed(0), millions(r.normalsPerSecond)],
  },
};
export const BENCH_WORKLOADS = Object.keys(WORKLOADS);

export async function benchCommand(workload: string, options: { json?: boolean; adapter?: AdapterPath }): Promise<number> {
  if (!(workload in WORKLOADS)) throw new RangeError(`workload: must be one of ${BENCH_WORKLOADS.join(', ')}, got ${JSON.stringify(workload)}`);
  const { run, head, cells } = WORKLOADS[workload as keyof typeof WORKLOADS];
  const rows = await run(options.adapter ? [options.adapter] : undefined);
  if (options.json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  const table = new Table({ head, style: { head: [] } });
  for (const r of rows) table.push((cells as (row: typeof r) => string[])(r));
  process.stdout.write(table.toString() + '\n');
  return 0;
}
