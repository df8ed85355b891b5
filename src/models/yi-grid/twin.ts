/**
 * Float64 twin of shaders/yi-grid/yi_grid.wgsl: the four one-round estimators of every replicate of a
 * cell, on the same random words, as metric rows (columns YiColumn in columns.ts).
 */
import type { ResolvedYiGridSpec } from './spec.js';
import { Stream, keyFromSeed, type Key } from '../../core/random/address.js';
import { normals4, randomWords } from '../../core/cpu/random.js';
import { choleskySolve, packedIndex, packedSize } from '../../core/cpu/cholesky.js';
import { YiColumn, YI_COLUMNS } from './columns.js';

class Fit {
  readonly gram: Float64Array;
  readonly rhs: Float64Array;
  count = 0;
  constructor(private readonly d: number) {
    this.gram = new Float64Array(packedSize(d));
    this.rhs = new Float64Array(d);
  }
  add(x: Float64Array, y: number): void {
    for (let a = 0; a < this.d; a++) {
      for (let b = 0; b <= a; b++) this.gram[packedIndex(a, b)] += x[a] * x[b];
      this.rhs[a] += x[a] * y;
    }
    this.count++;
  }
  /** OLS θ̂, or null with fewer than d samples or a singular Gram. */
  solve(): Float64Array | null {
    if (this.count < this.d) return null;
    const theta = this.rhs.slice();
    return choleskySolve(this.gram.slice(), theta, 0, this.d) ? theta : null;
  }
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>, d: number) => {
  let s = 0;
  for (let j = 0; j < d; j++) s += a[j] * b[j];
  return s;
};
const squaredDistance = (a: ArrayLike<number>, b: ArrayLike<number>, d: number) => {
  let s = 0;
  for (let j = 0; j < d; j++) s += (a[j] - b[j]) ** 2;
  return s;
};

/**
 * Sample i's inputs (generation 0: real, 1: synthetic) into `x`: x_j is normal n = i·d + j of the
 * stream, component n mod 4 of address ⌊n/4⌋ (packed as in shaders/yi-grid/yi_grid.wgsl).
 */
function drawInputs(key: Key, r: number, generation: number, i: number, x: Float64Array): void {
  const d = x.length, first = i * d;
  for (let address = first >>> 2; address * 4 < first + d; address++) {
    const z = normals4(randomWords(key, r, generation, Stream.inputs, address));
    for (let k = 0; k < 4; k++) {
      const j = address * 4 + k - first;
      if (j >= 0 && j < d) x[j] = z[k];
    }
  }
}

/** The metric row of replicate r of a cell. */
export function yiGridReplicate(spec: ResolvedYiGridSpec, key: Key, r: number): Float64Array {
  const { d, sigma, n1, n2, bias, radius, slack } = spec;
  const row = new Float64Array(YI_COLUMNS);
  const thetaStar = new Float64Array(d);
  for (let q = 0; q * 4 < d; q++) {
    const z = normals4(randomWords(key, r, 0, Stream.setup, q));
    for (let k = 0; k < 4 && q * 4 + k < d; k++) thetaStar[q * 4 + k] = z[k];
  }
  const center = thetaStar.map((v) => v + bias);
  const x = new Float64Array(d);
  const accepts = (y: number) => Math.abs(y - dot(x, center, d)) <= radius * Math.sqrt(dot(x, x, d)) + slack;

  const allReal = new Fit(d), verifiedReal = new Fit(d);
  let noise = [0, 0, 0, 0];
  for (let i = 0; i < n1; i++) {
    if ((i & 3) === 0) noise = normals4(randomWords(key, r, 0, Stream.labelNoise, i >>> 2));
    drawInputs(key, r, 0, i, x);
    const y = dot(x, thetaStar, d) + sigma * noise[i & 3];
    allReal.add(x, y);
    if (accepts(y)) verifiedReal.add(x, y);
  }
  const theta0 = allReal.solve(), theta1 = verifiedReal.solve();

  const fromVerified = new Fit(d), fromReal = new Fit(d);
  for (let i = 0; i < n2; i++) {
    if ((i & 3) === 0) noise = normals4(randomWords(key, r, 1, Stream.labelNoise, i >>> 2));
    drawInputs(key, r, 1, i, x);
    if (theta1) {
      const y1 = dot(x, theta1, d) + sigma * noise[i & 3];
      if (accepts(y1)) fromVerified.add(x, y1);
    }
    if (theta0) {
      const y0 = dot(x, theta0, d) + sigma * noise[i & 3];
      if (accepts(y0)) fromReal.add(x, y0);
    }
  }
  const estimates = [theta0, theta1, theta1 && fromVerified.solve(), theta0 && fromReal.solve()];
  estimates.forEach((theta, k) => {
    row[YiColumn.valid + k] = theta ? 1 : 0;
    row[YiColumn.loss + k] = theta ? squaredDistance(theta, thetaStar, d) : 0;
  });
  row[YiColumn.acceptedReal] = verifiedReal.count;
  row[YiColumn.acceptedFromVerified] = fromVerified.count;
  row[YiColumn.acceptedFromReal] = fromReal.count;
  return row;
}

/** Every replicate's metric row of a cell (replicate-major), its replicates counted from `firstReplicate`. */
export function yiGridRows(spec: ResolvedYiGridSpec, firstReplicate = 0): Float64Array {
  const key = keyFromSeed(spec.seed);
  const rows = new Float64Array(spec.replicates * YI_COLUMNS);
  for (let r = 0; r < spec.replicates; r++) rows.set(yiGridReplicate(spec, key, firstReplicate + r), r * YI_COLUMNS);
  return rows;
}
