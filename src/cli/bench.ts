// `synthloop bench rng`: normals/s per generator and adapter (bench/rng.ts).
import Table from 'cli-table3';
import { benchRng } from '../../bench/rng.js';
import type { AdapterPath } from '../gpu/device.js';

export async function benchCommand(workload: string, options: { json?: boolean; adapter?: AdapterPath }): Promise<number> {
  if (workload !== 'rng') throw new RangeError(`workload: must be one of rng, got ${JSON.stringify(workload)}`);
  const rows = await benchRng({ paths: options.adapter ? [options.adapter] : undefined });
  if (options.json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  const table = new Table({ head: ['backend', 'generator', 'normals', 'seconds', 'normals/s'], style: { head: [] } });
  for (const r of rows) {
    table.push([r.backend, r.generator, r.normals.toExponential(2), r.seconds.toFixed(3), `${(r.normalsPerSecond / 1e6).toFixed(1)} M`]);
  }
  process.stdout.write(table.toString() + '\n');
  return 0;
}
