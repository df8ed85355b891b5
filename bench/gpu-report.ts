/**
 * The one-adapter run's section of bench/RESULTS.md ("## GPU run", written by `synthloop bench all
 * --adapter PATH --out DIR`, which `bash .gpu-bench/run.sh` calls on a GPU machine) and its key `gpu`
 * in results.json. Both merge into what DIR already holds: the rest of RESULTS.md and of results.json
 * (the CPU suite's run) stay as they are, and `npm run bench` keeps this section when it rewrites the
 * rest. Measured rates are set against the roofline on paper (bench/roofline.ts).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { WORKLOADS, type SuiteResult, type WorkloadRow } from './suite.js';
import { fp32Peak, H200, roofline } from './roofline.js';
import { renderRoofline } from './report.js';

export const GPU_SECTION_TITLE = 'GPU run';
const GPU_SECTION = /## GPU run[\s\S]*?(?=\n## |$)/;

const secs = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 0.1 ? x.toFixed(2) : x.toPrecision(2));
const pct = (x: number) => `${(100 * x).toPrecision(3)} %`;
const si = (x: number | null | undefined, unit = '') => {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  for (const [k, p] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) if (x >= k) return `${(x / k).toFixed(x / k >= 100 ? 0 : 2)} ${p}${unit}`;
  return `${x.toPrecision(3)}${unit}`;
};

function sizeRun(r: WorkloadRow): string {
  if (r.workload === 'w1') return `${r.size.biasCount} × 150 cells × R = ${r.size.replicates}${r.fraction < 1 ? ` (${pct(r.fraction)})` : ' (full)'}`;
  return `R = ${r.size.replicates}${r.fraction < 1 ? ` (${pct(r.fraction)})` : ' (full)'}`;
}

/** The section's lines: adapter, peak, workloads against the roofline, W5, targets. */
export function renderAdapterRun(result: SuiteResult): string[] {
  const lines: string[] = [];
  const a = (result.adapters[0] ?? {}) as Record<string, unknown>;
  const limits = a.limits as Record<string, number> | undefined;
  const rows = roofline();
  const paper = (key: string) => rows.find((r) => r.key === key);
  lines.push(`## ${GPU_SECTION_TITLE}: ${a.description ?? 'no adapter'} (${a.path ?? '?'})`, '');
  if (result.smoke) lines.push('**Smoke run**: every workload at its warm-up size, W5 at R = 1 with 5 steps a phase: it shows that the bundle runs end to end, and measures nothing.', '');
  lines.push(`Command: \`${result.command}\` (bench/README.md: \`npm run bench:gpu:bundle\` here, \`bash .gpu-bench/run.sh\` there). Measured ${result.date.slice(0, 16).replace('T', ' ')} UTC; `
    + `host ${result.machine.cpus}, ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, ${result.machine.platform}, Node ${result.machine.node}. `
    + `Adapter \`${a.path}\`: ${a.description} (${a.vendor}/${a.architecture}), ${a.featureLevel} level, features [${((a.features as string[]) ?? []).join(', ')}], `
    + `timestamp queries ${a.timestampQuery ? 'yes' : 'no'}`
    + (limits ? `, storage binding ${Math.round(limits.maxStorageBufferBindingSize / 2 ** 20)} MiB, workgroup storage ${limits.maxComputeWorkgroupStorageSize / 1024} KiB` : '')
    + '. Each workload is one timed run after a warm-up run that compiles its pipelines; times are wall clock of `runExperiment` (planning, every dispatch, the per-generation read-backs and recovery snapshots included).', '');
  if (result.skipped?.length) lines.push(`Left out by the time budget: ${result.skipped.join('; ')}.`, '');

  if (result.peaks.length) {
    const fp = fp32Peak(H200) / 1e9;
    lines.push('| peak | FMA GFLOP/s | of H200 FP32 on paper | copy GB/s | RMW kernel GB/s | of H200 HBM on paper | Gram phase GFLOP/s |', '|---|---|---|---|---|---|---|');
    for (const p of result.peaks) {
      lines.push(`| ${p.backend} | ${p.fmaGflops.toFixed(0)} (${p.fmaTiming}) | ${pct(p.fmaGflops / fp)} of ${fp.toFixed(0)} | ${p.copyGBps.toFixed(0)} | ${p.rmwGBps.toFixed(0)} (${p.rmwTiming}) | `
        + `${pct(p.rmwGBps / (H200.hbm / 1e9))} | ${p.gram.map((g) => `d = ${g.d}: ${g.gflops.toFixed(0)} (${pct(g.fractionOfPeak)})`).join('; ')} |`);
    }
    lines.push('', 'The copy and read-modify-write figures move 64 MiB (bench/peak.ts): on a GPU that is tens of microseconds, so they understate the bandwidth.', '');
  }

  if (result.workloads.length) {
    lines.push('| workload | size run | seconds | GPU s | replicate-generations/s | normals/s | roofline rg/s (H200) | of roofline | bound on paper |', '|---|---|---|---|---|---|---|---|---|');
    for (const r of result.workloads) {
      const p = paper(r.workload);
      lines.push(`| ${WORKLOADS[r.workload].title} | ${sizeRun(r)} | ${secs(r.seconds)} | ${r.gpuSeconds !== null ? secs(r.gpuSeconds) : '—'} | ${si(r.replicateGenerationsPerSecond)} | `
        + `${r.normalsPerSecond !== null ? si(r.normalsPerSecond) : r.tokensPerSecond !== null ? `tokens ${si(r.tokensPerSecond)}` : '—'} | `
        + `${p ? si(p.perSecond) : '—'} | ${p ? pct(r.replicateGenerationsPerSecond / p.perSecond) : '—'} | ${p?.bound ?? '—'} |`);
    }
    const timed = result.workloads.filter((r) => r.gpuKernels);
    if (timed.length) lines.push('');
    for (const r of timed) {
      const kernels = Object.entries(r.gpuKernels!).sort((x, y) => y[1].seconds - x[1].seconds);
      lines.push(`GPU time of ${r.workload.toUpperCase()} by kernel: ${kernels.map(([k, v]) => `\`${k}\` ${secs(v.seconds)} s (${v.passes} passes)`).join(', ')}; `
        + `wall ${secs(r.seconds)} s, so ${pct(1 - (r.gpuSeconds ?? 0) / r.seconds)} of it is outside the kernels.`);
    }
    lines.push('');
  }

  const w5 = result.w5;
  if (w5?.engine.length) {
    const p = paper('w5');
    lines.push('| W5 (one round of yi-mnist-quick\'s filtered arm) | R | round-1 s | round-0 s | warm-up s | replicate-rounds/s | GFLOP/s (nominal) | of roofline | NELBO ± SE | FID |', '|---|---|---|---|---|---|---|---|---|---|');
    for (const e of w5.engine) {
      lines.push(`| ${e.backend} | ${e.replicates} | ${secs(e.seconds)} | ${secs(e.round0Seconds)} | ${secs(e.warmupSeconds)} | ${e.replicateRoundsPerSecond.toFixed(3)} | ${e.gflops.toFixed(1)} | `
        + `${p ? pct(e.replicateRoundsPerSecond / p.perSecond) : '—'} | ${e.nelbo?.toFixed(2) ?? '—'} ± ${e.nelboSE?.toFixed(2) ?? '—'} | ${e.fid?.toFixed(1) ?? '—'} |`);
    }
    for (const d of w5.dense) {
      const e = w5.engine.find((x) => x.kind === d.kind && x.replicates === d.replicates);
      lines.push('', `W5 dense phase (bench/dense.ts, R = ${d.replicates}): ${d.shapes.length} ops, ${d.shapes.reduce((s, r) => s + r.count, 0)} dispatches, ${(d.flops / 1e9).toFixed(1)} GFLOP a round in ${secs(d.seconds)} s `
        + `= ${d.gflops.toFixed(1)} GFLOP/s${d.fractionOfPeak !== null ? `, ${pct(d.fractionOfPeak)} of the measured FMA peak` : ''}${e ? `, ${pct(d.seconds / e.seconds)} of the round` : ''}; `
        + `largest: ${[...d.shapes].sort((x, y) => y.seconds - x.seconds).slice(0, 3).map((r) => `\`${r.name}\` ×${r.count} ${r.medianGflops.toFixed(1)} GFLOP/s`).join('; ')}.`);
    }
    lines.push('');
  }

  const w2 = result.workloads.filter((r) => r.workload === 'w2' || r.workload === 'w2xl').sort((x, y) => y.replicateGenerationsPerSecond - x.replicateGenerationsPerSecond)[0];
  const w1 = result.workloads.find((r) => r.workload === 'w1');
  if (result.smoke) return lines;
  lines.push('| target (measured, not asserted) | measured | met |', '|---|---|---|');
  if (w2) lines.push(`| on a GPU, W2 ≥ 10⁷ replicate-generations/s | ${si(w2.replicateGenerationsPerSecond)} (${sizeRun(w2)}) | ${w2.replicateGenerationsPerSecond >= 1e7 ? 'yes' : 'no'} |`);
  if (w1) lines.push(`| W1 ≤ 30 s | ${secs(w1.fullSeconds)} s${w1.extrapolated ? ' (extrapolated)' : ''} | ${w1.fullSeconds <= 30 ? 'yes' : 'no'} |`);
  for (const pk of result.peaks) for (const g of pk.gram) lines.push(`| Gram phase ≥ 30 % of FMA peak (d = ${g.d}) | ${pct(g.fractionOfPeak)} | ${g.fractionOfPeak >= 0.3 ? 'yes' : 'no'} |`);
  lines.push('');
  return lines;
}

/** Puts the run under `gpu` in DIR/results.json and its section into DIR/RESULTS.md (both created if missing). */
export function writeAdapterRun(result: SuiteResult, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const json = `${dir}/results.json`, md = `${dir}/RESULTS.md`;
  const saved = existsSync(json) ? JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown> : {};
  writeFileSync(json, JSON.stringify({ ...saved, gpu: result }, null, 2) + '\n');
  const section = renderAdapterRun(result).join('\n').trim();
  let text = existsSync(md) ? readFileSync(md, 'utf8') : `# Benchmark results\n\n${renderRoofline().join('\n').trim()}\n`;
  if (GPU_SECTION.test(text)) text = text.replace(GPU_SECTION, () => `${section}\n\n`).replace(/\n{3,}(?=## )/g, '\n\n');
  else {
    // After the roofline (or W5), before the hand-kept sections.
    const at = text.search(/\n## (RNG throughput|Optimisation log)/);
    text = at < 0 ? `${text.trimEnd()}\n\n${section}\n` : `${text.slice(0, at)}\n${section}\n${text.slice(at)}`;
  }
  writeFileSync(md, text);
}
