/** bench/RESULTS.md and bench/results.json from one suite run (bench/suite.ts). */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { WORKLOADS, type SuiteResult, type WorkloadRow } from './suite.js';

const si = (x: number | null | undefined, unit = '') => {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)} G${unit}`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)} M${unit}`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k${unit}`;
  return `${x.toFixed(0)}${unit}`;
};
const secs = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const pct = (x: number) => `${(100 * x).toPrecision(3)} %`;

function scale(row: WorkloadRow): string {
  if (row.workload === 'w1') return row.fraction === 1 ? 'full (300 × 150 cells)' : `${row.size.biasCount} × 150 cells (${pct(row.fraction)})`;
  return row.fraction === 1 ? `full (R = ${row.size.replicates})` : `R = ${row.size.replicates} (${pct(row.fraction)})`;
}

export function renderMarkdown(result: SuiteResult, previous: string): string {
  const lines: string[] = [];
  lines.push('# Benchmark results', '');
  lines.push(`Command: \`${result.command}\` (= \`npm run build\`, then \`node dist/cli.js bench all\`), which rewrites this file and \`bench/results.json\`. `
    + 'Single workloads: `node dist/cli.js bench w1|w2|w3|w4|peak|numpy [--adapter PATH] [--json]` (print only).', '');
  lines.push(`Measured ${result.date.slice(0, 10)} on ${result.machine.cpus}, ${result.machine.cores} cores (shared with other work: load average ${result.machine.load.join(' / ')} at the end), `
    + `${result.machine.memoryGiB} GiB, Node ${result.machine.node}, ${result.machine.platform}, no GPU. Timings on this shared 2-core machine are noisy (±10–20 %); `
    + 'each workload is one timed run after a warm-up run that compiles its pipelines; the peak figures are medians of 5.', '');
  lines.push('Adapters:', '');
  for (const a of result.adapters as Record<string, unknown>[]) {
    lines.push(a.ok ? `- \`${a.path}\`: ${a.description} (${a.vendor}/${a.architecture}), ${a.featureLevel} level, features [${(a.features as string[]).join(', ')}], timestamp queries ${a.timestampQuery ? 'yes' : 'no'}, loop-iteration limit ${a.loopIterationLimit ?? 'none seen'}`
      : `- \`${a.path}\`: not working (${a.reason})`);
  }
  lines.push('');

  lines.push('## Peak (bench/peak.ts, bench/peak.wgsl)', '');
  lines.push('FMA: 2, 3, 4 or 8 independent vec4 FMA chains per thread (the fastest counts: a SIMD CPU spills past a few), 2048 steps, in registers, written once; '
    + 'the faster of `fma()` and `a*m+c`, 2 flops per FMA. '
    + 'Bandwidth: read + write bytes per second of a 64 MiB `copyBufferToBuffer` (wall time) and of a read-modify-write kernel over it. '
    + '**Gram phase** (bench/gram.wgsl): the engine\'s own `gram_add` (shaders/gram.wgsl) fed from registers, 256 calls per thread of four samples (d = 5, as yi-grid batches them) or eight (d = 16, as linear does), '
    + 'so its rate is the Gram phase\'s alone — at W1\'s d = 5 and W2\'s d = 16 — with the flops counted as the workloads count them.', '');
  lines.push('| adapter | FMA GFLOP/s | chains | fma() / a*m+c | FMA timing | copy GB/s | RMW kernel GB/s | RMW timing | Gram phase GFLOP/s (of FMA peak) |', '|---|---|---|---|---|---|---|---|---|');
  for (const p of result.peaks) {
    lines.push(`| ${p.backend} | ${p.fmaGflops.toFixed(1)} | ${p.fmaChains} | ${p.fmaBuiltinGflops.toFixed(1)} / ${p.mulAddGflops.toFixed(1)} | ${p.fmaTiming} | ${p.copyGBps.toFixed(2)} | ${p.rmwGBps.toFixed(2)} | ${p.rmwTiming} | `
      + `${p.gram.map((g) => `d = ${g.d}: ${g.gflops.toFixed(1)} (${pct(g.fractionOfPeak)})`).join('; ')} |`);
  }
  lines.push('');

  lines.push('## Workloads', '');
  lines.push('"seconds" is the measured wall time of `runExperiment` at the size run (warm pipelines; includes planning, every dispatch and the per-generation read-backs). '
    + 'Where a fraction of the workload ran, "full-size s" is **extrapolated** linearly (seconds ÷ fraction; per-replicate work is the same, '
    + 'and W1 keeps every 100th or 10th bias of the 300 with all 150 radii) and marked *(extrap.)*. '
    + 'normals/s counts the standard normals drawn (W1: d + (n₁ + n₂)(d + 1) per replicate; linear: n(4⌈d/4⌉ + 1) per replicate-generation); W4 draws tokens (uniform words), not normals. '
    + 'Gram GFLOP/s = 2 × (⌈d/4⌉(⌈d/4⌉+1)/2 · 16 multiply-adds per sample, as gram_add does) × samples ÷ **the whole run\'s wall time**, '
    + 'so it is a lower bound on the Gram phase\'s own rate (its own rate is in the peak table); "of peak" divides it by the adapter\'s FMA peak above. '
    + '"GPU s" sums every pass\'s time from timestamp queries (src/core/gpu/timing.ts) on adapters that have them (not llvmpipe at the compatibility level); '
    + 'the kernels\' shares are listed under each table.', '');
  for (const name of ['w1', 'w2', 'w3', 'w4'] as const) {
    const rows = result.workloads.filter((r) => r.workload === name);
    if (!rows.length) {
      lines.push(`### ${WORKLOADS[name].title}`, '', 'Not measured in this run: left out by SYNTHLOOP_BENCH_WORKLOADS.', '');
      continue;
    }
    lines.push(`### ${WORKLOADS[name].title}`, '');
    lines.push('| backend | size run | seconds | GPU s | full-size s | replicate-generations/s | normals/s | Gram GFLOP/s | of FMA peak |', '|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      lines.push(`| ${r.backend} | ${scale(r)} | ${secs(r.seconds)} | ${r.gpuSeconds !== null ? secs(r.gpuSeconds) : '—'} | ${secs(r.fullSeconds)}${r.extrapolated ? ' *(extrap.)*' : ''} | ${si(r.replicateGenerationsPerSecond)} | `
        + `${r.normalsPerSecond !== null ? si(r.normalsPerSecond) : r.tokensPerSecond !== null ? `— (tokens ${si(r.tokensPerSecond)}/s)` : '—'} | `
        + `${r.gramGflops !== null ? r.gramGflops.toFixed(2) : '—'} | ${r.gramFractionOfPeak !== null ? pct(r.gramFractionOfPeak) : '—'} |`);
    }
    const peer = result.peers.find((p) => p.workload === name);
    if (peer) {
      if (peer.ok) {
        lines.push(`| numpy float64 peer (${peer.python}, numpy ${peer.numpy}) | ${peer.note} | ${secs(peer.seconds!)} | — | ${secs(peer.fullSeconds!)} *(extrap.)* | ${si(peer.replicateGenerationsPerSecond)} | — | — | — |`);
      } else {
        lines.push(`| numpy float64 peer | not run: ${peer.note} | | | | | | | |`);
      }
    }
    for (const r of rows.filter((r) => r.gpuKernels)) {
      const kernels = Object.entries(r.gpuKernels!).sort((a, b) => b[1].seconds - a[1].seconds);
      lines.push('', `GPU time on ${r.kind} by kernel: ${kernels.map(([k, v]) => `\`${k}\` ${secs(v.seconds)} s (${v.passes} passes)`).join(', ')}.`);
    }
    lines.push('');
  }

  lines.push('## Engine vs numpy (same run)', '');
  const fastest = (name: string) => result.workloads.filter((r) => r.workload === name && r.kind !== 'twin').sort((a, b) => b.replicateGenerationsPerSecond - a.replicateGenerationsPerSecond)[0];
  lines.push('| workload | fastest adapter | engine rg/s | numpy rg/s | engine / numpy | check |', '|---|---|---|---|---|---|');
  for (const peer of result.peers) {
    const e = fastest(peer.workload);
    if (!peer.ok || !e) { lines.push(`| ${peer.workload.toUpperCase()} | ${e?.backend ?? '—'} | ${e ? si(e.replicateGenerationsPerSecond) : '—'} | not run: ${peer.note} | — | — |`); continue; }
    const check = peer.workload === 'w2' && e.check && peer.mse !== undefined
      ? `mse at t = 20: engine ${e.check.mse.toFixed(4)} ± ${e.check.mseSE.toFixed(4)}, numpy ${peer.mse.toFixed(4)} ± ${peer.mseSE!.toFixed(4)}`
      : '—';
    lines.push(`| ${peer.workload.toUpperCase()} | ${e.backend} | ${si(e.replicateGenerationsPerSecond)} | ${si(peer.replicateGenerationsPerSecond)} | ${(e.replicateGenerationsPerSecond / peer.replicateGenerationsPerSecond!).toFixed(2)}× | ${check} |`);
  }
  const blas = result.peers.find((p) => p.ok)?.blas;
  lines.push('', `numpy BLAS: ${typeof blas === 'string' ? blas : JSON.stringify(blas ?? 'unknown')} (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from the peer's environment). `
    + 'The peer (bench/peers/numpy_peer.py) uses numpy\'s PCG64 normals, so its statistics agree with the engine\'s within Monte Carlo error, not bit for bit. '
    + 'Its W1 shares the real and synthetic samples across cells (common random numbers, as the engine does) and so computes θ̂₀ and each sample\'s x xᵀ once per replicate, '
    + 'each cell\'s Grams as one batched matmul of acceptance masks with them; W2 runs all replicates at once, samples in blocks of 64, one batched solve per generation. '
    + 'Its time excludes Python start-up and imports.', '');

  lines.push('## Targets (measured, not asserted)', '');
  const w1 = fastest('w1'), w2 = fastest('w2');
  const w2peer = result.peers.find((p) => p.workload === 'w2' && p.ok);
  const gram = result.workloads.filter((r) => r.gramFractionOfPeak !== null).sort((a, b) => b.gramFractionOfPeak! - a.gramFractionOfPeak!);
  lines.push('| target | measured | met |', '|---|---|---|');
  if (w1) lines.push(`| W1 ≤ 30 s on the fastest adapter | ${secs(w1.fullSeconds)} s on ${w1.kind}${w1.extrapolated ? ' (extrapolated)' : ''} | ${w1.fullSeconds <= 30 ? 'yes' : 'no'} |`);
  if (w2 && w2peer) { const ratio = w2.replicateGenerationsPerSecond / w2peer.replicateGenerationsPerSecond!; lines.push(`| W2 ≥ 10× numpy | ${ratio.toFixed(2)}× (${w2.kind}) | ${ratio >= 10 ? 'yes' : 'no'} |`); }
  for (const p of result.peaks) {
    for (const g of p.gram) {
      lines.push(`| Gram phase ≥ 30 % of FMA peak (d = ${g.d}, ${p.path}; bench/gram.wgsl) | ${pct(g.fractionOfPeak)} (${g.gflops.toFixed(1)} of ${p.fmaGflops.toFixed(1)} GFLOP/s) | ${g.fractionOfPeak >= 0.3 ? 'yes' : 'no'} |`);
    }
  }
  for (const r of gram) {
    lines.push(`| whole ${r.workload.toUpperCase()} run's Gram flops over its wall time, ${r.kind} (a lower bound) | ${pct(r.gramFractionOfPeak!)} | — |`);
  }
  lines.push('');

  // Sections written by hand or by other commands are kept: the RNG table (node dist/cli.js bench rng)
  // and the optimisation log (each change's expected and measured gain).
  for (const title of ['RNG throughput', 'Optimisation log']) {
    const section = previous.match(new RegExp(`## ${title}[\\s\\S]*?(?=\\n## |$)`));
    if (section) lines.push(section[0].trim(), '');
  }
  return lines.join('\n');
}

export function writeResults(result: SuiteResult, dir = 'bench'): void {
  const path = `${dir}/RESULTS.md`;
  const previous = existsSync(path) ? readFileSync(path, 'utf8') : '';
  writeFileSync(`${dir}/results.json`, JSON.stringify(result, null, 2) + '\n');
  writeFileSync(path, renderMarkdown(result, previous));
}
