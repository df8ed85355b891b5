/**
 * Float64 twin of shaders/linear/linear.wgsl: one generation of every replicate — draw, label,
 * verify, accumulate, ridge solve (or the minimum-norm fit where n < d) — on the same random words,
 * plus the metric columns.
 */
import type { ResolvedLinearSpec } from './spec.js';
import { Stream } from '../../core/random/address.js';
import { normals4, randomWords } from '../../core/cpu/random.js';
import { choleskySolve, packedSize } from '../../core/cpu/cholesky.js';
import type { LinearProblem } from './problem.js';
import type { GenerationPlan } from './plan.js';
import { emptySums, type MetricSums } from '../../core/engine/metrics.js';
import { LinearColumn, linearColumnCount } from './columns.js';
import { snapshotArray, type Snapshot } from '../../core/engine/snapshot.js';

export class LinearTwin {
  private readonly d: number;
  private readonly theta: Float64Array;
  private readonly failed: Uint8Array;
  /** Accumulate mode: running Gram (packed), right-hand side and sample count per replicate. */
  private readonly gram: Float64Array;
  private readonly rhs: Float64Array;
  private readonly count: Float64Array;
  private readonly sqrtSpectrum: Float64Array;

  constructor(private readonly spec: ResolvedLinearSpec, private readonly problem: LinearProblem,
    /** Global index of the first replicate, and how many this twin runs. */
    private readonly firstReplicate = 0, private readonly replicates = spec.replicates) {
    this.d = spec.d;
    this.theta = new Float64Array(replicates * this.d);
    this.failed = new Uint8Array(replicates);
    const keep = spec.mode === 'accumulate';
    this.gram = new Float64Array(keep ? replicates * packedSize(this.d) : packedSize(this.d));
    this.rhs = new Float64Array(keep ? replicates * this.d : this.d);
    this.count = new Float64Array(keep ? replicates : 1);
    this.sqrtSpectrum = problem.spectrum.map(Math.sqrt);
  }

  /** θ̂ of every replicate (replicate-major, d per replicate). */
  estimates(): Float64Array {
    return this.theta.slice();
  }

  failedFlags(): Uint8Array {
    return this.failed.slice();
  }

  /** Every replicate's θ̂ and failed flag, and the kept sums (per replicate in accumulate mode). */
  snapshot(): Snapshot {
    return { theta: this.theta.slice(), failed: this.failed.slice(), gram: this.gram.slice(), rhs: this.rhs.slice(), count: this.count.slice() };
  }

  restore(snapshot: Snapshot): void {
    this.theta.set(snapshotArray(snapshot, 'theta', Float64Array, this.theta.length));
    this.failed.set(snapshotArray(snapshot, 'failed', Uint8Array, this.failed.length));
    this.gram.set(snapshotArray(snapshot, 'gram', Float64Array, this.gram.length));
    this.rhs.set(snapshotArray(snapshot, 'rhs', Float64Array, this.rhs.length));
    this.count.set(snapshotArray(snapshot, 'count', Float64Array, this.count.length));
  }

  /** Nothing to release: the twin's state is ordinary memory. */
  destroy(): void {}

  step(plan: GenerationPlan): MetricSums {
    const { d } = this;
    const columns = linearColumnCount(d);
    const sums = emptySums(columns);
    const row = new Float64Array(columns);
    for (let local = 0; local < this.replicates; local++) {
      row.fill(0);
      if (!this.failed[local]) this.stepReplicate(local, plan, row);
      for (let c = 0; c < columns; c++) {
        sums.sum[c] += row[c];
        sums.sumSquares[c] += row[c] * row[c];
      }
    }
    return sums;
  }

  private stepReplicate(local: number, plan: GenerationPlan, row: Float64Array): void {
    const { d, spec, problem } = this;
    const P = packedSize(d);
    const quads = Math.ceil(d / 4);
    const replicate = this.firstReplicate + local;
    const keep = plan.keepSums;
    const gramOffset = keep ? local * P : 0, rhsOffset = keep ? local * d : 0, countIndex = keep ? local : 0;
    if (plan.resetSums) {
      this.gram.fill(0, gramOffset, gramOffset + P);
      this.rhs.fill(0, rhsOffset, rhsOffset + d);
      this.count[countIndex] = 0;
    }
    const gram = this.gram.subarray(gramOffset, gramOffset + P);
    const rhs = this.rhs.subarray(rhsOffset, rhsOffset + d);
    const theta = this.theta.subarray(local * d, local * d + d);
    const x = new Float64Array(quads * 4);
    let noise = [0, 0, 0, 0];
    let accepted = 0, offered = 0;
    const verifier = spec.verifier.kind === 'ball' ? spec.verifier : null;
    // The minimum-norm fit needs the samples themselves, not only their sums.
    const rows: Float64Array[] = [], labels: number[] = [];
    for (let i = 0; i < plan.samples; i++) {
      if ((i & 3) === 0) noise = normals4(randomWords(problem.key, replicate, plan.t, Stream.labelNoise, i >>> 2));
      for (let q = 0; q < quads; q++) {
        const z = normals4(randomWords(problem.key, replicate, plan.inputsGeneration, Stream.inputs, i * quads + q));
        for (let k = 0; k < 4; k++) x[q * 4 + k] = q * 4 + k < d ? this.sqrtSpectrum[q * 4 + k] * z[k] : 0;
      }
      const real = i < plan.realSamples;
      const labeller = real ? problem.thetaStar : theta;
      let mean = 0;
      for (let j = 0; j < d; j++) mean += x[j] * labeller[j];
      const y = mean + (real ? spec.sigma : spec.syntheticSigma) * noise[i & 3];
      let accept = true;
      if (!real) {
        offered++;
        if (plan.verify && verifier) {
          let centerMean = 0, norm2 = 0;
          for (let j = 0; j < d; j++) { centerMean += x[j] * problem.center[j]; norm2 += x[j] * x[j]; }
          accept = Math.abs(y - centerMean) <= verifier.radius * Math.sqrt(norm2) + verifier.slack;
        }
        if (accept) accepted++;
      }
      if (plan.minimumNorm) {
        rows.push(x.slice(0, d));
        labels.push(y);
      }
      if (accept) {
        for (let a = 0, p = 0; a < d; a++) {
          for (let b = 0; b <= a; b++, p++) gram[p] += x[a] * x[b];
          rhs[a] += x[a] * y;
        }
        this.count[countIndex]++;
      }
    }
    row[LinearColumn.accepted] = accepted;
    row[LinearColumn.offered] = offered;
    const solution = plan.minimumNorm ? minimumNormFit(rows, labels, d) : ridgeFit(gram, rhs, plan.ridgeLambda, this.count[countIndex], d);
    if (!solution) {
      this.failed[local] = 1;
      return;
    }
    theta.set(solution);
    row[LinearColumn.valid] = 1;
    for (let j = 0; j < d; j++) {
      const delta = theta[j] - problem.thetaStar[j];
      const fromCenter = theta[j] - problem.center[j];
      row[LinearColumn.err2] += delta * delta;
      row[LinearColumn.risk] += problem.spectrum[j] * delta * delta;
      row[LinearColumn.centerDist2] += fromCenter * fromCenter;
      row[LinearColumn.delta + j] = delta;
    }
  }
}

/** (XᵀWX + λI)⁻¹XᵀWy from the sums over `count` kept samples, or null where it is not determined. */
function ridgeFit(gram: Float64Array, rhs: Float64Array, lambda: number, count: number, d: number): Float64Array | null {
  const factor = gram.slice();
  const solution = rhs.slice();
  return !(lambda === 0 && count < d) && choleskySolve(factor, solution, lambda, d) ? solution : null;
}

/**
 * The minimum-norm least-squares fit of n < d samples, X⁺y = Xᵀ(XXᵀ)⁻¹y: the n × n Gram of the
 * rows solved by Cholesky, then θ̂ = Σ αᵢ xᵢ (as shaders/linear/linear.wgsl's minimum_norm_system and
 * finish do); null where XXᵀ is singular to working precision.
 */
export function minimumNormFit(rows: readonly Float64Array[], labels: readonly number[], d: number): Float64Array | null {
  const n = rows.length;
  const gram = new Float64Array(packedSize(n));
  for (let i = 0, p = 0; i < n; i++) {
    for (let j = 0; j <= i; j++, p++) {
      for (let k = 0; k < d; k++) gram[p] += rows[i][k] * rows[j][k];
    }
  }
  const alpha = Float64Array.from(labels);
  if (!choleskySolve(gram, alpha, 0, n)) return null;
  const theta = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) theta[k] += alpha[i] * rows[i][k];
  }
  return theta;
}
