#!/usr/bin/env python3
"""JAX (CPU, float32) peers of synthloop bench workloads W1 (the yi-grid study) and W2 (linear, replace
mode, ball verifier): the same models, arguments and JSON as bench/peers/numpy_peer.py, written as a
JAX user would write them for speed (one function per replicate, vmap, jit, ahead-of-time compile).

W1 (yi-grid, docs/science.md §2; src/models/yi-grid/twin.ts): per replicate θ* ~ N(0, I_d), n₁ real
  samples x ~ N(0, I_d), y = xᵀθ* + σε, and n₂ synthetic inputs with their own noise. Per cell (bias b,
  radius ρ) the verifier centred at θ_c = θ* + b·1 accepts (x, y) when |y − xᵀθ_c| ≤ ρ‖x‖ + slack
  (slack √(2/π)σ). Four OLS estimators: θ̂₀ on all real samples, θ̂₁ on the accepted real ones, θ̂₂ on the
  synthetic inputs labelled xᵀθ̂₁ + σε and accepted (needs θ̂₁), θ̂₃ labelled by θ̂₀ and accepted; an
  estimator with fewer than d samples (or a non-positive Cholesky pivot) is not valid. Loss ‖θ̂ − θ*‖².
  Common random numbers, as the engine and the numpy peer: a replicate's samples are drawn once and
  every cell reuses them, so θ̂₀ and the synthetic labels from θ̂₀ are per replicate, not per cell.
  How: the per-cell function is vmapped over the cells of a replicate. Every Gram is a sum of accepted
  samples' features, so a cell's Gram and right-hand side are one row of (acceptance mask) @ (per-sample
  features [x_a x_b for a ≥ b, x·y]) — vmapping the per-cell `mask @ F` turns it into one
  (cells × n) @ (n × (d(d+1)/2 + d)) matmul per estimator. θ̂₂'s labels depend on the cell, so its
  right-hand side is G₂θ̂₁ + Σ accepted x·σε. The d × d solves are a Cholesky of the packed Gram written
  out for the static d, elementwise over the cells' axis (see "Solves" below). Replicates run one after
  another within a device (lax.map; a replicate's cells are ~20 MB of masks at the full 300 × 150 grid)
  and are split over the host devices (shard_map).
W2 (src/models/linear, replace mode): one θ* = u/‖u‖ (u ~ N(0, I_d)), centre θ* + 0.1·1/√d, radius 0.5,
  slack √(2/π)σ, σ = 1, λ = 0. Generation 0 fits n real samples; generation t ≥ 1 labels n fresh inputs
  with θ̂_{t−1} and fits the ones the verifier accepts; a replicate with fewer than d accepted samples
  fails for good. How: per replicate, lax.scan over the generations; vmapped over blocks of --block
  replicates (lax.map over the blocks: a block's inputs are block × n × d floats), blocks split over
  the host devices (shard_map); the same written-out Cholesky for the 16 × 16 Gram (a non-positive
  pivot fails the replicate too). Statistic: mse = mean ‖θ̂_T − θ*‖² over the replicates that did not
  fail, ± SE.

Solves: jnp.linalg.solve and jax.scipy.linalg.cho_factor are LAPACK custom calls on XLA:CPU, and in
jaxlib 0.10.2 on the bench's 2-core machine they hang (no CPU used, never return) once one call's batch
is large — W1 with 4 500 cells a replicate, with one host device or two; W2's vmapped 256-replicate
blocks with two devices. Where they did run they were slower: W1 at 1 500 cells × 100 replicates, one
device, 0.25 s with jnp.linalg.solve against 0.085 s written out; W2 about the same. So both workloads
use the Cholesky written out in jnp ops (about d³/6 + d² multiply-adds, each elementwise over the
batch axis).

Devices: --devices host devices (XLA_FLAGS=--xla_force_host_platform_device_count, default one per
core, as jax_mnist_peer.py) each run a share of the replicates (W1) or of the blocks (W2) on their own
thread, with no communication. Here both workloads keep the 2 cores busy either way — XLA:CPU's own
intra-op threads give 1.8–1.9 cores on one device — and one device was as fast within noise (W1 whole:
1.8–2.1 s on one device, 2.0–2.1 s on two; W2 at 2 048 replicates: 2.5 s and 2.4 s). The default prng is
threefry2x32 (JAX's own, and the fastest of the three here: 96 M normals/s against 59 M for rbg).

Timing: `seconds` is the wall time of the compiled computation only (inputs already on the devices,
block_until_ready on the result): Python start-up, imports and the ahead-of-time compile
(`compileSeconds`) are apart, as numpy_peer.py leaves out its imports. `cpuUtilisation` = process CPU
seconds (time.process_time: every XLA thread) ÷ wall seconds over the timed run: cores busy.
With --repeats N the computation runs N times on the same keys (identical results) and `seconds` is the
fastest; the first execution (thread pools, allocation) is usually a little slower.

Differences from the engine: JAX's threefry keys (per replicate: fold_in(seed, r), then split per draw),
float32 like the engine's GPU kernels; so statistics agree within Monte Carlo error, not bit for bit.

Prints one JSON object (the last line). Run with the venv of bench/peers/python-env.mjs (jaxPython()):

  bench/.venv/bin/python bench/peers/jax_peer.py w1 --bias-count 30 --full-bias-count 300 --radius-count 150 --replicates 100
  bench/.venv/bin/python bench/peers/jax_peer.py w2 --replicates 2048 --d 16 --n 512 --generations 20
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np

from peer_common import cores, host_devices, w1_grid


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("workload", choices=["w1", "w2"])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--replicates", type=int, default=100)
    p.add_argument("--d", type=int, default=None)
    p.add_argument("--n", type=int, default=512)
    p.add_argument("--n1", type=int, default=100)
    p.add_argument("--n2", type=int, default=100)
    p.add_argument("--generations", type=int, default=20)
    p.add_argument("--bias-count", type=int, default=300)
    p.add_argument("--radius-count", type=int, default=150)
    p.add_argument("--full-bias-count", type=int, default=0)
    p.add_argument("--probe", default="0:0,0:74,0:149,100:0,100:74,100:149,200:0,200:74,200:149",
                   help="W1 cells whose per-estimator mean loss ± SE is reported: biasIndex:radiusIndex of the full grid, comma-separated (those the run contains)")
    p.add_argument("--block", type=int, default=256, help="W2: replicates vmapped together (a block's inputs are block × n × d floats)")
    p.add_argument("--repeats", type=int, default=1, help="timed runs of the compiled computation (same keys); seconds = fastest")
    p.add_argument("--devices", type=int, default=0,
                   help="CPU devices the replicates are split over (default: the most, up to the cores, dividing the replicates (W1) or blocks (W2))")
    p.add_argument("--prng", choices=["threefry2x32", "rbg", "unsafe_rbg"], default="threefry2x32")
    a = p.parse_args()
    if a.d is None:
        a.d = 5 if a.workload == "w1" else 16

    # The replicate axis is split over host-platform devices (shard_map, no communication), one per core by
    # default, each running its share on its own thread (see "Devices" above).
    if a.workload == "w2":
        a.block = min(a.block, a.replicates)
    if a.workload == "w2" and a.replicates % a.block:
        p.error("--replicates must be a multiple of --block")
    units = a.replicates if a.workload == "w1" else max(1, a.replicates // a.block)
    n_dev = host_devices(a.devices, units)
    if n_dev is None:
        p.error(f"{'--replicates' if a.workload == 'w1' else '--replicates / --block'} must be a multiple of --devices")

    t_import = time.perf_counter()
    import jax
    import jax.numpy as jnp
    from jax import lax
    jax.config.update("jax_default_prng_impl", a.prng)
    jax.config.update("jax_enable_x64", False)
    import_seconds = time.perf_counter() - t_import

    mesh = jax.make_mesh((n_dev,), ("r",), devices=jax.devices()[:n_dev])
    P = jax.sharding.PartitionSpec
    split = jax.sharding.NamedSharding(mesh, P("r"))

    def over_devices(f):
        """f maps a block of keys (leading axis) to arrays with the same leading axis: split it over the devices."""
        return jax.jit(jax.shard_map(f, mesh=mesh, in_specs=P("r"), out_specs=P("r"), check_vma=False), in_shardings=split, out_shardings=split)

    sigma = 1.0
    slack = math.sqrt(2 / math.pi) * sigma
    d = a.d
    f32 = jnp.float32

    def cholesky_solve_packed(G, h, n):
        """Solves G θ = h for a symmetric positive-definite G given as G(a, b) for b ≤ a (a callable returning
        arrays of any common shape), h a list of d arrays; written out for the static d. Returns (θ list, ok)."""
        L = {}
        ok = True
        for j in range(n):
            s = G(j, j)
            for k in range(j):
                s = s - L[j, k] * L[j, k]
            ok = ok & (s > 0)
            ljj = jnp.sqrt(jnp.where(s > 0, s, 1.0))
            L[j, j] = ljj
            inv = 1.0 / ljj
            for i in range(j + 1, n):
                s = G(i, j)
                for k in range(j):
                    s = s - L[i, k] * L[j, k]
                L[i, j] = s * inv
        z = []
        for i in range(n):
            s = h[i]
            for k in range(i):
                s = s - L[i, k] * z[k]
            z.append(s / L[i, i])
        theta = [None] * n
        for i in reversed(range(n)):
            s = z[i]
            for k in range(i + 1, n):
                s = s - L[k, i] * theta[k]
            theta[i] = s / L[i, i]
        return theta, ok

    compile_seconds = 0.0
    if a.workload == "w1":
        n1, n2, R = a.n1, a.n2, a.replicates
        biases, radii, probes = w1_grid(a)
        cell_bias = jnp.asarray(np.repeat(biases, len(radii)), f32)
        cell_radius = jnp.asarray(np.tile(radii, len(biases)), f32)
        C = int(cell_bias.shape[0])
        probe_cells = jnp.asarray([pr["cell"] for pr in probes] or [0], jnp.int32)
        pairs = [(i, j) for i in range(d) for j in range(i + 1)]            # packed lower triangle
        where = {pair: k for k, pair in enumerate(pairs)}
        npk = len(pairs)
        ia = jnp.asarray([i for i, _ in pairs]); ib = jnp.asarray([j for _, j in pairs])

        def features(X, y):
            """Per sample [x_a x_b (a ≥ b), x·y]: a Gram and its right-hand side are sums of these rows."""
            return jnp.concatenate([X[:, ia] * X[:, ib], X * y[:, None]], axis=1)

        def solve(S, count):
            """OLS from summed features S (…, npk + d); valid with ≥ d samples and positive pivots."""
            theta, ok = cholesky_solve_packed(lambda i, j: S[..., where[i, j] if i >= j else where[j, i]],
                                              [S[..., npk + i] for i in range(d)], d)
            return jnp.stack(theta, -1), ok & (count >= d)

        def replicate(key):
            k_theta, k_x0, k_x1, k_e0, k_e1 = jax.random.split(key, 5)
            theta_star = jax.random.normal(k_theta, (d,), f32)
            X0 = jax.random.normal(k_x0, (n1, d), f32)
            X1 = jax.random.normal(k_x1, (n2, d), f32)
            e0 = sigma * jax.random.normal(k_e0, (n1,), f32)
            e1 = sigma * jax.random.normal(k_e1, (n2,), f32)
            y0 = X0 @ theta_star + e0
            m1 = X1 @ theta_star
            s0, s1 = X0.sum(1), X1.sum(1)
            norm0, norm1 = jnp.linalg.norm(X0, axis=1), jnp.linalg.norm(X1, axis=1)
            F1 = features(X0, y0)
            theta0, ok0 = solve(F1.sum(0), jnp.float32(n1))
            y1_from0 = X1 @ theta0 + e1
            F2 = features(X1, e1)            # θ̂₂'s right-hand side: G₂θ̂₁ + Σ accepted x·σε
            F3 = features(X1, y1_from0)

            def cell(b, rho):
                # y − xᵀθ_c = (y − xᵀθ*) − b·Σx
                acc1 = (jnp.abs(e0 - b * s0) <= rho * norm0 + slack).astype(f32)
                S1 = acc1 @ F1
                theta1, ok1 = solve(S1, acc1.sum())
                y1 = X1 @ theta1 + e1
                acc2 = (jnp.abs(y1 - m1 - b * s1) <= rho * norm1 + slack).astype(f32)
                S2 = acc2 @ F2
                G2 = lambda i, j: S2[where[i, j] if i >= j else where[j, i]]
                rhs2 = jnp.stack([sum(G2(i, j) * theta1[j] for j in range(d)) + S2[npk + i] for i in range(d)])
                theta2, ok2 = solve(jnp.concatenate([S2[:npk], rhs2]), acc2.sum())
                acc3 = (jnp.abs(y1_from0 - m1 - b * s1) <= rho * norm1 + slack).astype(f32)
                theta3, ok3 = solve(acc3 @ F3, acc3.sum())
                thetas = jnp.stack([theta0, theta1, theta2, theta3])
                valid = jnp.stack([ok0, ok1, ok1 & ok2, ok0 & ok3])
                loss = ((thetas - theta_star) ** 2).sum(-1)
                return jnp.where(valid, loss, 0.0), valid.astype(f32)

            loss, valid = jax.vmap(cell)(cell_bias, cell_radius)            # (C, 4) each
            return dict(lossSum=loss.sum(0), validSum=valid.sum(0), probeLoss=loss[probe_cells], probeValid=valid[probe_cells])

        run = over_devices(lambda keys: lax.map(replicate, keys))
        keys = jax.device_put(jax.vmap(lambda r: jax.random.fold_in(jax.random.key(a.seed), r))(jnp.arange(R)), split)
        work = dict(workload="w1", cells=C, replicates=R, replicateGenerations=C * R)
    else:
        n, R, T = a.n, a.replicates, a.generations
        bias, radius = 0.1, 0.5
        root = jax.random.key(a.seed)
        u = jax.random.normal(jax.random.fold_in(root, 1 << 30), (d,), f32)
        theta_star = u / jnp.linalg.norm(u)
        center = theta_star + bias / math.sqrt(d)

        def replicate(key):
            def generation(carry, t):
                theta, failed = carry
                kx, ke = jax.random.split(jax.random.fold_in(key, t))
                X = jax.random.normal(kx, (n, d), f32)
                y = X @ jnp.where(t == 0, theta_star, theta) + sigma * jax.random.normal(ke, (n,), f32)
                accept = jnp.abs(y - X @ center) <= radius * jnp.linalg.norm(X, axis=1) + slack
                w = jnp.where(t == 0, 1.0, accept.astype(f32))
                Xw = X * w[:, None]
                G, h, count = Xw.T @ X, Xw.T @ y, w.sum()
                failed = failed | (count < d)
                fit, ok = cholesky_solve_packed(lambda i, j: G[i, j], [h[i] for i in range(d)], d)
                fit = jnp.stack(fit)
                failed = failed | ~ok
                failed = failed | ~jnp.all(jnp.isfinite(fit))
                return (jnp.where(failed, theta, fit), failed), None

            (theta, failed), _ = lax.scan(generation, (jnp.zeros(d, f32), jnp.bool_(False)), jnp.arange(T + 1))
            return dict(err=((theta - theta_star) ** 2).sum(), failed=failed)

        blocks = R // a.block
        run = over_devices(lambda keys: jax.tree.map(lambda x: x.reshape(-1), lax.map(jax.vmap(replicate), keys)))
        keys = jax.device_put(jax.vmap(lambda r: jax.random.fold_in(root, r))(jnp.arange(R)).reshape(blocks, a.block), split)
        work = dict(workload="w2", replicates=R, generations=T + 1, replicateGenerations=R * (T + 1))

    t = time.perf_counter()
    compiled = run.lower(keys).compile()
    compile_seconds = time.perf_counter() - t

    timings = []
    for _ in range(max(1, a.repeats)):
        c0, w0 = time.process_time(), time.perf_counter()
        out = jax.block_until_ready(compiled(keys))
        wall = time.perf_counter() - w0
        timings.append(dict(seconds=wall, cpu=(time.process_time() - c0) / wall))
    best = min(timings, key=lambda r: r["seconds"])
    out = jax.tree.map(lambda x: np.asarray(x, dtype=np.float64), out)

    def mean_se(values, valid):
        v = values[valid > 0]
        if not len(v):
            return None, None
        return float(v.mean()), (float(v.std(ddof=1) / math.sqrt(len(v))) if len(v) > 1 else None)

    if a.workload == "w1":
        stats = dict(meanLoss=(out["lossSum"].sum(0) / np.maximum(out["validSum"].sum(0), 1)).tolist())
        for k, pr in enumerate(probes):
            ms = [mean_se(out["probeLoss"][:, k, e], out["probeValid"][:, k, e]) for e in range(4)]
            pr.update(loss=[m for m, _ in ms], lossSE=[s for _, s in ms], valid=out["probeValid"][:, k].sum(0).astype(int).tolist())
            del pr["cell"]
        stats["probes"] = probes
    else:
        ok = out["failed"] == 0
        mse, mse_se = mean_se(out["err"], ok)
        stats = dict(mse=mse, mseSE=mse_se, failed=int((~ok).sum()))

    import jaxlib
    print(json.dumps(dict(
        peer="jax", **work, seconds=best["seconds"], cpuUtilisation=round(best["cpu"], 3),
        repeats=[round(r["seconds"], 4) for r in timings], compileSeconds=compile_seconds, importSeconds=import_seconds,
        **stats,
        jax=dict(version=jax.__version__, jaxlib=jaxlib.__version__, numpy=np.__version__, backend=jax.default_backend(),
                 devices=n_dev, prng=a.prng, dtype="float32", xla_flags=os.environ.get("XLA_FLAGS"), python=sys.version.split()[0]),
        threads=dict(os_cpu_count=os.cpu_count(), sched_affinity=cores(), loadavg_1min=os.getloadavg()[0]),
    )))


if __name__ == "__main__":
    main()
