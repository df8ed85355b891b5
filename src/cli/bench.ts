// `synthloop bench <workload>`: throughput on every working adapter and the twin (bench/).
// `bench all` runs the suite (peak, W1–W4, numpy peers) and rewrites bench/RESULTS.md and bench/results.json.
import Table from 'cli-table3';
import { tableStyle } from './color.js';
import { benchRng } from '../../bench/rng.js';
import { benchLinear } from '../../bench/linear.js';
import { benchPeak } from '../../bench/peak.js';
import { existsSync, readFileSync } from 'node:fs';
import { runPeer, runSuite, type PeerRow, type SuiteResult, type WorkloadName, type WorkloadRow } from '../../bench/suite.js';
import { writeResults } from '../../bench/report.js';
import type { AdapterPath } from '../core/adapter.js';

const millions = (x: number) => `${(x / 1e6).toFixed(1)} M`;
const log = (line: string) => process.stderr.write(`${line}\n`);

const suiteWorkload = (name: WorkloadName) => ({
  run: async (paths?: AdapterPath[]) => (await runSuite({ workloads: [name], paths, log })).workloads,
  head: ['backend', 'fraction', 'seconds', 'full-size s', 'replicate-generations/s', 'normals/s', 'Gram GFLOP/s', 'of FMA peak'],
  cells: (r: WorkloadRow) => [r.backend, r.fraction.toPrecision(3), r.seconds.toFixed(2), `${r.fullSeconds.toFixed(1)}${r.extrapolated ? ' (extrapolated)' : ''}`,
    r.replicateGenerationsPerSecond.toFixed(0), r.normalsPerSecond !== null ? millions(r.normalsPerSecond) : r.tokensPerSecond !== null ? `tokens ${millions(r.tokensPerSecond)}` : '—',
    r.gramGflops?.toFixed(2) ?? '—', r.gramFractionOfPeak !== null ? `${(100 * r.gramFractionOfPeak).toPrecision(3)} %` : '—'],
});

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
  peak: {
    run: (paths?: AdapterPath[]) => benchPeak({ paths }),
    head: ['backend', 'FMA GFLOP/s', 'variant', 'timing', 'copy GB/s', 'rmw GB/s', 'Gram phase GFLOP/s (of peak)'],
    cells: (r: Awaited<ReturnType<typeof benchPeak>>[number]) =>
      [r.backend, r.fmaGflops.toFixed(1), `${r.fmaVariant} (fma() ${r.fmaBuiltinGflops.toFixed(1)}, a*m+c ${r.mulAddGflops.toFixed(1)})`, r.fmaTiming, r.copyGBps.toFixed(2), r.rmwGBps.toFixed(2),
        r.gram.map((g) => `d = ${g.d}: ${g.gflops.toFixed(1)} (${(100 * g.fractionOfPeak).toFixed(0)} %)`).join(', ')],
  },
  w1: suiteWorkload('w1'),
  w2: suiteWorkload('w2'),
  w3: suiteWorkload('w3'),
  w4: suiteWorkload('w4'),
  numpy: {
    run: async () => [runPeer('w1'), runPeer('w2')],
    head: ['workload', 'ran', 'seconds', 'full-size s (extrapolated)', 'replicate-generations/s', 'note'],
    cells: (r: ReturnType<typeof runPeer>) =>
      [r.workload, r.ok ? 'yes' : 'no', r.seconds?.toFixed(2) ?? '—', r.fullSeconds?.toFixed(1) ?? '—', r.replicateGenerationsPerSecond?.toFixed(0) ?? '—', r.note],
  },
};
export const BENCH_WORKLOADS = [...Object.keys(WORKLOADS), 'all'];

export async function benchCommand(workload: string, options: { json?: boolean; adapter?: AdapterPath }): Promise<number> {
  const paths = options.adapter ? [options.adapter] : undefined;
  if (workload === 'all') {
    // SYNTHLOOP_BENCH_WORKLOADS=w1,w2 (say) chooses the workloads; default all four.
    const chosen = process.env.SYNTHLOOP_BENCH_WORKLOADS ?? 'w1,w2,w3,w4';
    const only = chosen.split(',').map((w) => w.trim()).filter(Boolean) as WorkloadName[];
    const result = await runSuite({ paths, log, workloads: only });
    if (!paths) writeResults(result);
    else log('one adapter only: bench/RESULTS.md and bench/results.json left as they are');
    process.stdout.write(options.json ? JSON.stringify(result, null, 2) + '\n' : 'wrote bench/RESULTS.md and bench/results.json\n');
    return 0;
  }
  const { run, head, cells } = WORKLOADS[workload as keyof typeof WORKLOADS];
  const rows = await run(paths);
  if (workload === 'numpy' && !paths && existsSync('bench/results.json')) {
    // Re-time the peers and put them into the saved run's report (bench/results.json → RESULTS.md).
    const saved = JSON.parse(readFileSync('bench/results.json', 'utf8')) as SuiteResult;
    saved.peers = rows as PeerRow[];
    writeResults(saved);
    log('updated the numpy rows of bench/results.json and bench/RESULTS.md');
  }
  if (options.json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  const table = new Table({ head, style: tableStyle() });
  for (const r of rows) table.push((cells as (row: typeof r) => string[])(r));
  process.stdout.write(table.toString() + '\n');
  return 0;
}
