// bench/report.ts: the engine vs peers table (numpy and JAX seconds, ratios, cores busy, agreement) and the targets,
// rendered from a suite result shaped like bench/results.json (no GPU, no Python: the rows are given).
import { describe, expect, it } from 'vitest';
import { peerAgreement, type PeerRow, type SuiteResult, type W1Probe, type WorkloadRow } from '../bench/suite.js';
import { peerComparisons, renderMarkdown } from '../bench/report.js';

const probe = (biasIndex: number, radiusIndex: number, loss: number[], lossSE: number[]): W1Probe => ({
  biasIndex, radiusIndex, bias: (0.25 * biasIndex) / 299, radius: radiusIndex === 149 ? 0.5 : 0.01 + (0.49 * radiusIndex) / 149, loss, lossSE,
});

const engineRow = (workload: 'w1' | 'w2', seconds: number, rg: number, extra: Partial<WorkloadRow>): WorkloadRow => ({
  workload, backend: 'llvmpipe (Mesa)', kind: 'llvmpipe', fraction: 1, size: { replicates: 100, biasCount: 300 }, seconds, fullSeconds: seconds,
  extrapolated: false, replicateGenerations: rg, replicateGenerationsPerSecond: rg / seconds, normalsPerSecond: null, tokensPerSecond: null,
  gramGflops: null, gramFractionOfPeak: null, gpuSeconds: null, gpuKernels: null, check: null, cpuUtilisation: 1.9, ...extra,
});

const peer = (workload: 'w1' | 'w2', kind: 'numpy' | 'jax' | undefined, seconds: number, fraction: number, rg: number, extra: Partial<PeerRow>): PeerRow => ({
  workload, ...(kind ? { peer: kind } : {}), ok: true, note: fraction === 1 ? 'the full workload' : 'a fraction', python: '/usr/bin/python3', numpy: '1.24.2',
  fraction, seconds, fullSeconds: seconds / fraction, replicateGenerationsPerSecond: (rg * fraction) / seconds, ...extra,
});

function suite(): SuiteResult {
  const w1 = engineRow('w1', 5, 4.5e6, { probes: [probe(0, 0, [0.05, 0.02, 0.021, 0.022], [0.003, 0.001, 0.001, 0.0015]), probe(100, 74, [0.05, 0.04, 0.06, 0.055], [0.003, 0.002, 0.004, 0.0035])] });
  const w2 = engineRow('w2', 5.5, 344064, { check: { mse: 0.2273, mseSE: 0.0006 } });
  return {
    date: '2026-12-04T00:00:00.000Z', command: 'npm run bench',
    machine: { cpus: 'test CPU', cores: 2, memoryGiB: 23, node: 'v20', platform: 'linux', load: [0.5, 0.5, 0.5] },
    adapters: [], peaks: [], workloads: [w1, w2],
    peers: [
      // A row saved before the JAX peer existed has no `peer`: numpy.
      peer('w1', undefined, 2.2, 0.1, 4.5e6, { cpuUtilisation: 1.02, probes: [probe(0, 0, [0.054, 0.019, 0.0207, 0.0206], [0.0043, 0.0013, 0.0013, 0.0014])] }),
      peer('w1', 'jax', 2.0, 1, 4.5e6, { cpuUtilisation: 1.99, compileSeconds: 1.9, repeats: [2.1, 2.0], args: ['w1', '--replicates', '100'], jax: { version: '0.10.2', devices: 2 },
        probes: [probe(0, 0, [0.048, 0.0184, 0.0196, 0.0217], [0.0027, 0.0011, 0.0013, 0.0017]), probe(100, 74, [0.048, 0.0378, 0.0627, 0.0556], [0.0027, 0.0024, 0.004, 0.0037])] }),
      peer('w2', 'numpy', 7.0, 0.125, 344064, { cpuUtilisation: 1.01, mse: 0.2262, mseSE: 0.0016 }),
      peer('w2', 'jax', 2.37, 0.125, 344064, { cpuUtilisation: 1.99, compileSeconds: 3.3, repeats: [2.4, 2.37], args: ['w2', '--replicates', '2048'], mse: 0.2278, mseSE: 0.0016, jax: { version: '0.10.2', devices: 2 } }),
    ],
  };
}

describe('bench report: engine vs peers', () => {
  it('compares each estimator at the shared probe cells, θ̂₀ once, z = (peer − engine) / √(SE² + SE²)', () => {
    const s = suite();
    const numpy = peerAgreement(s.workloads[0], s.peers[0])!;
    expect(numpy.peer).toBe('numpy');
    expect(numpy.items).toHaveLength(4); // one shared cell: θ̂₀..θ̂₃
    expect(numpy.items[0].z).toBeCloseTo((0.054 - 0.05) / Math.hypot(0.003, 0.0043), 10);
    const jax = peerAgreement(s.workloads[0], s.peers[1])!;
    expect(jax.items).toHaveLength(4 + 3); // θ̂₀ only at the first cell
    expect(jax.maxAbsZ).toBe(Math.max(...jax.items.map((i) => Math.abs(i.z))));
    const w2 = peerAgreement(s.workloads[1], s.peers[3])!;
    expect(w2.items[0].z).toBeCloseTo((0.2278 - 0.2273) / Math.hypot(0.0006, 0.0016), 10);
  });

  it('renders seconds, ratios (extrapolations marked), cores busy, agreement and the new targets', () => {
    const s = suite();
    const [c1, c2] = peerComparisons(s);
    expect(c1.vsJax).toBeCloseTo(2.0 / 5, 10);
    expect(c1.vsNumpy).toBeCloseTo(22 / 5, 10);
    expect(c2.vsJax).toBeCloseTo(2.37 / 0.125 / 5.5, 10);
    const md = renderMarkdown(s, '');
    expect(md).toContain('## Engine vs peers (same run)');
    expect(md).toContain('| W1 | 5.00 (llvmpipe) | 22.0 *(extrap.)* | 2.00 | 4.40× | 0.40× | 1.90 / 1.02 / 1.99 | numpy: max \\|z\\|');
    expect(md).toMatch(/\| W2 \| 5.50 \(llvmpipe\) \| 56.0 \*\(extrap\.\)\* \| 19.0 \*\(extrap\.\)\* \| 10\.18× \| 3\.45× \| 1\.90 \/ 1\.01 \/ 1\.99 \| mse at t = 20: engine 0\.2273 ± 0\.0006; numpy 0\.2262 ± 0\.0016 \(z −0\.6\); jax 0\.2278 ± 0\.0016 \(z \+0\.3\) \|/);
    expect(md).toContain('| W1 ≤ 3 s on llvmpipe | 5.00 s | no |');
    expect(md).toContain('| W1 ≥ 7× JAX | 0.40× (llvmpipe 5.00 s vs 2.00 s) | no |');
    expect(md).toContain('| W1 ≥ 8× numpy | 4.40× (llvmpipe 5.00 s vs 22.0 s, extrapolated) | no |');
    expect(md).toContain('| W2 ≥ 10× JAX | 3.45× (llvmpipe 5.50 s vs 19.0 s, extrapolated) | no |');
    expect(md).toContain('| W2 ≥ 10× numpy | 10.18× (llvmpipe) | yes |');
    // The W1 probe table, and the JAX rows under the workload tables.
    expect(md).toContain('| 0.0000 | 0.0100 | 0.0500 ± 0.0030 (+0.8 / −0.5) |');
    expect(md).toContain('| 0.0836 | 0.2534 | as above |');
    expect(md).toContain('W1 `w1 --replicates 100`, compile 1.90 s (ahead of time, not in its seconds), timed runs 2.10, 2.00 s');
    expect(md).toContain('| JAX float32 peer (jax 0.10.2, CPU, 2 host devices) | the full workload; compile 1.90 s apart | 2.00 | — | 2.00 |');
  });
});
