/**
 * Closed form of docs/science.md §4 (Bakshi & Chakraborty 2026) for the categorical retraining
 * loop, for tests and overlays.
 */

/** ‖P*‖², the probability that two independent draws of P* are the same token. */
export function collisionProbability(probs: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < probs.length; k++) sum += probs[k] * probs[k];
  return sum;
}

/**
 * R_t = E‖P̂_t − P*‖² for generations t = 0..T, exact: R_0 = (1 − ‖P*‖²)/n_0 and
 * R_t = (1 − ‖P*‖²)/n_t + (1 − 1/n_t)(1 − α_t)² R_{t−1}
 * (the fresh multinomial error of n_t draws, plus the previous error shrunk by the share of
 * P̂_{t−1} in the mixture, less what the multinomial's own variance takes back).
 */
export function categoricalRisk(probs: ArrayLike<number>, n: readonly number[], realFraction: readonly number[]): number[] {
  const spread = 1 - collisionProbability(probs);
  const values: number[] = [];
  let previous = 0;
  for (let t = 0; t < n.length; t++) {
    // At t = 0 the mixture is P* alone (α_0 = 1), so the recursion starts from R_0 = spread/n_0.
    previous = spread / n[t] + (1 - 1 / n[t]) * (1 - realFraction[t]) ** 2 * previous;
    values.push(previous);
  }
  return values;
}
