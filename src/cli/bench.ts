// `synthloop bench <workload>`: throughput on every working adapter and the twin (bench/).
// `bench all` runs the suite (peak, W1–W5, numpy and JAX peers) and rewrites bench/RESULTS.md and bench/results.json.
// `bench w5` (peak, W5 on every adapter, its dense phase, the JAX peer) prints its tables and, without --adapter,
// puts its rows into bench/results.json and replaces only the W5 section of bench/RESULTS.md.
// `bench w1` / `bench w2` also run the numpy and JAX peers and print engine vs peers (seconds, ratios, cores busy,
// agreement); `bench numpy` / `bench jax` run one peer of W1 and W2 and, without --adapter, put its rows into the saved run.
import Table from 'cli-table3';
import { tableStyle } from './color.js';
import { benchRng } from '../../bench/rng.js';
import { benchLinear } from '../../bench/linear.js';
import { benchPeak } from '../../bench/peak.js';
import { existsSync, readFileSync } from 'node:fs';
import { WORKLOAD_NAMES, peerKind, runJaxPeer, runPeer, runSuite, type PeerRow, type SuiteResult, type WorkloadName, type WorkloadRow } from '../../bench/suite.js';
import { agreementText, peerComparisons, writeResults, writeW5Results } from '../../bench/report.js';
import { writeAdapterRun } from '../../bench/gpu-report.js';
import type { W5Result } from '../../bench/w5.js';
import type { AdapterPath } from '../core/adapter.js';

const millions = (x: number) => `${(x / 1e6).toFixed(1)} M`;
const log = (line: string) => process.stderr.write(`${line}\n`);

/** The last suite run of `bench w1|w2|w3|w4` (its peers are printed after the rows). */
let lastSuite: SuiteResult | null = null;

const suiteWorkload = (name: Exclude<WorkloadName, 'w5'>) => ({
  run: async (paths?: AdapterPath[]) => (lastSuite = await runSuite({ workloads: [name], paths, log })).workloads,
  head: ['backend', 'fraction', 'seconds', 'full-size s', 'replicate-generations/s', 'normals/s', 'Gram GFLOP/s', 'of FMA peak', 'cores busy'],
  cells: (r: WorkloadRow) => [r.backend, r.fraction.toPrecision(3), r.seconds.toFixed(2), `${r.fullSeconds.toFixed(1)}${r.extrapolated ? ' (extrapolated)' : ''}`,
    r.replicateGenerationsPerSecond.toFixed(0), r.normalsPerSecond !== null ? millions(r.normalsPerSecond) : r.tokensPerSecond !== null ? `tokens ${millions(r.tokensPerSecond)}` : '—',
    r.gramGflops?.toFixed(2) ?? '—', r.gramFractionOfPeak !== null ? `${(100 * r.gramFractionOfPeak).toPrecision(3)} %` : '—', r.cpuUtilisation?.toFixed(2) ?? '—'],
});

const peerCells = (r: PeerRow) =>
  [r.workload, peerKind(r), r.ok ? 'yes' : 'no', r.seconds?.toFixed(2) ?? '—', r.fullSeconds !== undefined ? `${r.fullSeconds.toFixed(1)}${r.fraction! < 1 ? ' (extrapolated)' : ''}` : '—',
    r.replicateGenerationsPerSecond?.toFixed(0) ?? '—', r.cpuUtilisation?.toFixed(2) ?? '—', r.compileSeconds?.toFixed(1) ?? '—', r.note];
const PEER_HEAD = ['workload', 'peer', 'ran', 'seconds', 'full-size s', 'replicate-generations/s', 'cores busy', 'compile s', 'note'];

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
  w5: {
    run: async (paths?: AdapterPath[]) => [await runSuite({ workloads: ['w5'], paths, log })],
    head: ['backend', 'R run', 'round-1 s', 'R = 8 s', 'replicate-rounds/s', 'GFLOP/s', 'dense GFLOP/s', 'of FMA peak', 'NELBO ± SE'],
    cells: (r: SuiteResult) => w5Cells(r.w5!),
  },
  numpy: {
    run: async () => [runPeer('w1'), runPeer('w2')],
    head: PEER_HEAD,
    cells: peerCells,
  },
  jax: {
    run: async () => [runJaxPeer('w1', log), runJaxPeer('w2', log)],
    head: PEER_HEAD,
    cells: peerCells,
  },
};
export const BENCH_WORKLOADS = [...Object.keys(WORKLOADS), 'all'];

/** W5's rows: one per adapter, then the JAX peer; the extra lines (agreement, ratio) go to stderr. */
function w5Cells(w5: W5Result): string[][] {
  const rows = w5.engine.map((e) => {
    const d = w5.dense.find((x) => x.kind === e.kind);
    return [e.backend, String(e.replicates), e.seconds.toFixed(2), `${e.fullSeconds.toFixed(2)}${e.extrapolated ? ' (extrapolated)' : ''}`,
      (e.fullReplicates / e.fullSeconds).toFixed(3), e.gflops.toFixed(2), d ? d.gflops.toFixed(2) : '—',
      d?.fractionOfPeak != null ? `${(100 * d.fractionOfPeak).toPrecision(3)} %` : '—', `${e.nelbo?.toFixed(2)} ± ${e.nelboSE?.toFixed(2)}`];
  });
  const p = w5.peer;
  if (p?.ok) {
    rows.push([`JAX peer (compile ${p.compileSeconds!.toFixed(1)} s)`, String(p.replicates), p.seconds!.toFixed(2), p.seconds!.toFixed(2), p.replicateRoundsPerSecond!.toFixed(3),
      p.gflops!.toFixed(2), '—', '—', `${p.nelbo!.toFixed(2)} ± ${p.nelboSE!.toFixed(2)}`]);
  } else if (p) rows.push(['JAX peer', `not run: ${p.note}`, '', '', '', '', '', '', '']);
  const best = w5.engine.filter((e) => !e.extrapolated).sort((a, b) => b.replicateRoundsPerSecond - a.replicateRoundsPerSecond)[0];
  if (best && p?.ok) log(`engine/peer replicate-rounds/s: ${(best.replicateRoundsPerSecond / p.replicateRoundsPerSecond!).toFixed(2)}× (${best.kind})`);
  if (w5.agreement) log(`NELBO agreement: |Δ| = ${w5.agreement.z.toFixed(2)} SE (${w5.agreement.agree ? 'within' : 'outside'} 2 SE)`);
  return rows;
}

export interface BenchOptions {
  json?: boolean;
  adapter?: AdapterPath;
  /** `bench all` only: --no-twin, --no-peers (commander's negations: true unless given). */
  twin?: boolean;
  peers?: boolean;
  /** `bench all` only: the folder to write RESULTS.md and results.json into (with --adapter: the one-adapter section, bench/gpu-report.ts). */
  out?: string;
  /** `bench all` only: seconds after which nothing more starts. */
  budget?: string;
  /** `bench all` only: W5's replicates, a comma-separated list (later sizes only while the budget lasts). */
  w5Replicates?: string;
  /** `bench all` only: every workload at its warm-up size (proves a build runs; not a measurement). */
  smoke?: boolean;
}

const positive = (text: string, what: string) => {
  const x = Number(text);
  if (!Number.isFinite(x) || x <= 0) throw new RangeError(`${what}: must be a positive number, got ${JSON.stringify(text)}`);
  return x;
};

export async function benchCommand(workload: string, options: BenchOptions): Promise<number> {
  const paths = options.adapter ? [options.adapter] : undefined;
  if (workload === 'all') {
    // SYNTHLOOP_BENCH_WORKLOADS=w1,w2 (say) chooses the workloads (w2xl, W2 at R = 2²⁰, only when named); default all five.
    const chosen = process.env.SYNTHLOOP_BENCH_WORKLOADS ?? 'w1,w2,w3,w4,w5';
    const only = chosen.split(',').map((w) => w.trim()).filter(Boolean) as WorkloadName[];
    const unknown = only.filter((w) => !(WORKLOAD_NAMES as string[]).includes(w) && w !== 'w2xl');
    if (unknown.length) throw new RangeError(`SYNTHLOOP_BENCH_WORKLOADS: unknown workload ${unknown.join(', ')} (w1, w2, w3, w4, w5, w2xl)`);
    const started = Date.now();
    const out = options.out;
    const custom = out !== undefined || options.twin === false || options.peers === false || options.budget !== undefined || options.smoke || options.w5Replicates !== undefined;
    // One adapter with --out writes its own section (bench/gpu-report.ts); every adapter writes the whole report.
    const write = (result: SuiteResult) => (paths ? writeAdapterRun(result, out!) : writeResults(result, out));
    const result = await runSuite({
      paths, log, workloads: only,
      twin: options.twin, peers: options.peers, smoke: options.smoke,
      deadline: options.budget !== undefined ? started + 1000 * positive(options.budget, '--budget') : undefined,
      w5Replicates: options.w5Replicates?.split(',').map((r) => Math.round(positive(r, '--w5-replicates'))),
      onPartial: out !== undefined ? write : undefined,
      command: process.env.SYNTHLOOP_BENCH_COMMAND ?? (custom || paths ? `synthloop ${process.argv.slice(2).join(' ')}` : undefined),
    });
    if (out !== undefined) {
      write(result);
      process.stdout.write(options.json ? JSON.stringify(result, null, 2) + '\n' : `wrote ${out}/RESULTS.md and ${out}/results.json\n`);
      return 0;
    }
    if (!paths) writeResults(result);
    else log('one adapter only: bench/RESULTS.md and bench/results.json left as they are (--out DIR writes its section)');
    process.stdout.write(options.json ? JSON.stringify(result, null, 2) + '\n' : paths ? '' : 'wrote bench/RESULTS.md and bench/results.json\n');
    return 0;
  }
  const { run, head, cells } = WORKLOADS[workload as keyof typeof WORKLOADS];
  const rows = await run(paths);
  if (workload === 'w5') {
    const result = rows[0] as SuiteResult;
    if (!paths) {
      writeW5Results(result.w5!, result);
      log('updated W5 in bench/results.json and only the W5 section of bench/RESULTS.md');
    }
    if (options.json) {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return 0;
    }
    const table = new Table({ head: WORKLOADS.w5.head, style: tableStyle() });
    for (const cells of w5Cells(result.w5!)) table.push(cells);
    process.stdout.write(table.toString() + '\n');
    return 0;
  }
  if ((workload === 'numpy' || workload === 'jax') && !paths && existsSync('bench/results.json')) {
    // Re-time one peer and put its rows into the saved run's report (bench/results.json → RESULTS.md), keeping the other's.
    const saved = JSON.parse(readFileSync('bench/results.json', 'utf8')) as SuiteResult;
    saved.peers = [...saved.peers.filter((p) => peerKind(p) !== workload), ...(rows as PeerRow[])]
      .sort((a, b) => a.workload.localeCompare(b.workload) || peerKind(a).localeCompare(peerKind(b)));
    writeResults(saved);
    log(`updated the ${workload} rows of bench/results.json and bench/RESULTS.md`);
  }
  const suite = lastSuite as SuiteResult | null;
  if (options.json && suite && suite.peers.length) {
    process.stdout.write(JSON.stringify({ workloads: suite.workloads, peers: suite.peers }, null, 2) + '\n');
    return 0;
  }
  if (options.json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  const table = new Table({ head, style: tableStyle() });
  for (const r of rows) table.push((cells as (row: typeof r) => string[])(r));
  process.stdout.write(table.toString() + '\n');
  if (suite && suite.peers.length) {
    const peers = new Table({ head: PEER_HEAD, style: tableStyle() });
    for (const r of suite.peers) peers.push(peerCells(r));
    process.stdout.write(peers.toString() + '\n');
    for (const c of peerComparisons(suite)) {
      if (!c.engine) continue;
      process.stdout.write(`${c.workload.toUpperCase()} engine (${c.engine.kind}, ${c.engine.fullSeconds.toFixed(2)} s full-size${c.engine.extrapolated ? ', extrapolated' : ''}): `
        + `${c.vsNumpy !== null ? `${c.vsNumpy.toFixed(2)}× numpy` : 'numpy not run'}, ${c.vsJax !== null ? `${c.vsJax.toFixed(2)}× JAX` : 'JAX not run'}; `
        + `agreement: ${agreementText(c).replace(/\\\|/g, '|')}\n`);
    }
  }
  return 0;
}
