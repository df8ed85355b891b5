/**
 * The fixed quantities of a linear run, shared by both backends: θ*, the verifier's centre
 * θ_c = θ* + bias·u, and the diagonal covariance Σ. Random parts come from the `setup`
 * stream of the run's key, so a seed names the same problem everywhere.
 */
import type { ResolvedLinearSpec } from './spec.js';
import { keyFromSeed, Stream, type Key } from '../../core/random/address.js';
import { normals4, randomWords } from '../../core/cpu/random.js';

export interface LinearProblem {
  d: number;
  key: Key;
  thetaStar: Float64Array;
  /** θ_c; equals θ* without a verifier. */
  center: Float64Array;
  /** Diagonal of Σ. */
  spectrum: Float64Array;
}

/** Setup-stream generations: which problem quantity a draw is for. */
const SETUP_THETA = 0;
const SETUP_DIRECTION = 1;

/** A unit vector from the setup stream (d normals, normalised). */
function randomUnitVector(key: Key, purpose: number, d: number): Float64Array {
  const v = new Float64Array(d);
  for (let q = 0; q * 4 < d; q++) {
    const z = normals4(randomWords(key, 0, purpose, Stream.setup, q));
    for (let k = 0; k < 4 && q * 4 + k < d; k++) v[q * 4 + k] = z[k];
  }
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

export function buildProblem(spec: ResolvedLinearSpec): LinearProblem {
  const { d } = spec;
  const key = keyFromSeed(spec.seed);
  const thetaStar = spec.theta.kind === 'given' ? Float64Array.from(spec.theta.values) : randomUnitVector(key, SETUP_THETA, d);
  const center = Float64Array.from(thetaStar);
  if (spec.verifier.kind === 'ball') {
    const direction = spec.verifier.direction === 'ones'
      ? new Float64Array(d).fill(1 / Math.sqrt(d))
      : randomUnitVector(key, SETUP_DIRECTION, d);
    for (let j = 0; j < d; j++) center[j] += spec.verifier.bias * direction[j];
  }
  const spectrum = new Float64Array(d);
  for (let j = 0; j < d; j++) spectrum[j] = spec.spectrum.kind === 'power' ? (j + 1) ** -spec.spectrum.exponent : 1;
  return { d, key, thetaStar, center, spectrum };
}
