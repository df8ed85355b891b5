#!/usr/bin/env python3
"""Vectorised numpy float64 peers of the synthloop bench workloads W1 (yi-grid) and W2 (linear
replace with the ball verifier), batched over replicates (and, for W1, sweep cells): no Python
loop over replicates; loops only over generations, sample blocks and chunks of cells.

Same models as the engine (docs/science.md; src/models/yi-grid/twin.ts, src/models/linear/twin.ts), with numpy's own
PCG64 normals (not the engine's Threefry streams): statistics agree within Monte Carlo error,
not bit for bit. Prints one JSON object: seconds (compute only, after imports and BLAS
inspection), cpuUtilisation (process CPU seconds ÷ wall seconds over the same span: cores busy), the
work done, summary statistics (W1: the mean loss of each estimator over every cell, and per probe cell
— --probe, bias index of the full grid : radius index — each estimator's mean loss ± SE over the
replicates; W2: mse at t = T ± SE), and the BLAS numpy runs (threadpoolctl).

  python3 bench/peers/numpy_peer.py w1 --bias-count 30 --radius-count 150 --replicates 100
  python3 bench/peers/numpy_peer.py w2 --replicates 2048 --d 16 --n 512 --generations 20
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np

from peer_common import w1_grid


def blas_info():
    try:
        from threadpoolctl import threadpool_info
        return [{k: v for k, v in pool.items() if k in ("internal_api", "version", "architecture", "num_threads", "threading_layer")}
                for pool in threadpool_info()]
    except ImportError:
        try:
            blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
            return f"threadpoolctl missing; numpy was built with {blas.get('name')} {blas.get('version')} (runtime kernel unknown)"
        except Exception:
            return "unknown (threadpoolctl missing)"


def solve_masked(gram, rhs, valid):
    """Batched solve of gram·θ = rhs; rows with valid = False get the identity and are ignored."""
    d = gram.shape[-1]
    eye = np.eye(d)
    g = np.where(valid[..., None, None], gram, eye)
    theta = np.linalg.solve(g, rhs[..., None])[..., 0]
    return theta


def mean_se(v):
    if not len(v):
        return None, None
    return float(v.mean()), (float(v.std(ddof=1) / math.sqrt(len(v))) if len(v) > 1 else None)


def w1(args):
    """yi-grid: per replicate θ* ~ N(0, I_d); n1 real, n2 synthetic samples; four OLS estimators
    per (cell, replicate). Real and synthetic samples are shared by every cell (common random
    numbers, as in the engine), so the cell-independent parts (θ̂₀, x xᵀ per sample) are computed
    once per replicate and the per-cell Grams are one batched matmul of acceptance masks with them."""
    rng = np.random.default_rng(args.seed)
    d, n1, n2, R, sigma = args.d, args.n1, args.n2, args.replicates, 1.0
    slack = math.sqrt(2 / math.pi) * sigma
    biases, radii, probes = w1_grid(args)
    cell_bias = np.repeat(biases, len(radii))
    cell_radius = np.tile(radii, len(biases))
    C = len(cell_bias)
    probe_loss = np.zeros((len(probes), 4, R))
    probe_valid = np.zeros((len(probes), 4, R), dtype=bool)
    start, cpu_start = time.perf_counter(), time.process_time()
    theta_star = rng.standard_normal((R, d))
    X0 = rng.standard_normal((R, n1, d))
    X1 = rng.standard_normal((R, n2, d))
    e0 = rng.standard_normal((R, n1))
    e1 = rng.standard_normal((R, n2))
    y0 = np.einsum("rid,rd->ri", X0, theta_star) + sigma * e0
    m1 = np.einsum("rid,rd->ri", X1, theta_star)
    O0 = (X0[..., :, None] * X0[..., None, :]).reshape(R, n1, d * d)
    O1 = (X1[..., :, None] * X1[..., None, :]).reshape(R, n2, d * d)
    s0, s1 = X0.sum(-1), X1.sum(-1)
    norm0, norm1 = np.sqrt((X0 * X0).sum(-1)), np.sqrt((X1 * X1).sum(-1))
    theta0 = np.linalg.solve(np.einsum("rid,rie->rde", X0, X0), np.einsum("rid,ri->rd", X0, y0)[..., None])[..., 0]
    y1_from0 = np.einsum("rid,rd->ri", X1, theta0) + sigma * e1  # (R, n2), cell-independent
    loss_sums = np.zeros(4)
    valid_counts = np.zeros(4)
    chunk = max(1, args.chunk_cells)
    for c0 in range(0, C, chunk):
        b = cell_bias[c0:c0 + chunk][None, :, None]      # (1, c, 1)
        rad = cell_radius[c0:c0 + chunk][None, :, None]
        c = b.shape[1]
        # Verified real: |y − xᵀθ_c| ≤ radius‖x‖ + slack with y − xᵀθ* = σε and θ_c = θ* + bias·1.
        acc = (np.abs(sigma * e0[:, None, :] - b * s0[:, None, :]) <= rad * norm0[:, None, :] + slack).astype(np.float64)  # (R, c, n1)
        G1 = np.matmul(acc, O0).reshape(R, c, d, d)
        h1 = np.matmul(acc * y0[:, None, :], X0)
        v1 = acc.sum(-1) >= d
        theta1 = solve_masked(G1, h1, v1)
        # Synthetic samples labelled by θ̂₁ (per cell) and by θ̂₀ (per replicate), verified.
        y1 = np.matmul(theta1, X1.transpose(0, 2, 1)) + sigma * e1[:, None, :]          # (R, c, n2)
        acc2 = (np.abs(y1 - m1[:, None, :] - b * s1[:, None, :]) <= rad * norm1[:, None, :] + slack).astype(np.float64) * v1[..., None]
        acc3 = (np.abs(y1_from0[:, None, :] - m1[:, None, :] - b * s1[:, None, :]) <= rad * norm1[:, None, :] + slack).astype(np.float64)
        G2 = np.matmul(acc2, O1).reshape(R, c, d, d)
        h2 = np.matmul(acc2 * y1, X1)
        G3 = np.matmul(acc3, O1).reshape(R, c, d, d)
        h3 = np.matmul(acc3 * y1_from0[:, None, :], X1)
        v2 = v1 & (acc2.sum(-1) >= d)
        v3 = acc3.sum(-1) >= d
        theta2 = solve_masked(G2, h2, v2)
        theta3 = solve_masked(G3, h3, v3)
        for k, (theta, valid) in enumerate([(np.broadcast_to(theta0[:, None, :], theta1.shape), np.ones_like(v1)), (theta1, v1), (theta2, v2), (theta3, v3)]):
            loss = ((theta - theta_star[:, None, :]) ** 2).sum(-1)
            loss_sums[k] += (loss * valid).sum()
            valid_counts[k] += valid.sum()
            for p, probe in enumerate(probes):
                if c0 <= probe["cell"] < c0 + c:
                    probe_loss[p, k] = loss[:, probe["cell"] - c0]
                    probe_valid[p, k] = valid[:, probe["cell"] - c0]
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    for p, probe in enumerate(probes):
        stats = [mean_se(probe_loss[p, k][probe_valid[p, k]]) for k in range(4)]
        probe.update(loss=[m for m, _ in stats], lossSE=[s for _, s in stats], valid=probe_valid[p].sum(-1).tolist())
        del probe["cell"]
    return {
        "workload": "w1", "cells": C, "replicates": R, "replicateGenerations": C * R, "seconds": seconds,
        "cpuUtilisation": round(cpu / seconds, 3),
        "meanLoss": (loss_sums / np.maximum(valid_counts, 1)).tolist(),
        "probes": probes,
    }


def w2(args):
    """Linear replace with the ball verifier (bias 0.1, radius 0.5, direction ones, slack √(2/π)σ),
    Σ = I, σ = 1, λ = 0: generation 0 fits n real samples; generation t ≥ 1 labels n fresh inputs
    with θ̂_{t−1} + σε and fits the ones the verifier accepts. All replicates at once; samples in blocks."""
    rng = np.random.default_rng(args.seed)
    d, n, R, T, sigma = args.d, args.n, args.replicates, args.generations, 1.0
    bias, radius, slack = 0.1, 0.5, math.sqrt(2 / math.pi) * sigma
    start, cpu_start = time.perf_counter(), time.process_time()
    u = rng.standard_normal(d)
    theta_star = u / np.linalg.norm(u)
    center = theta_star + bias * np.ones(d) / math.sqrt(d)
    theta = np.zeros((R, d))
    failed = np.zeros(R, dtype=bool)
    block = max(4, args.block)
    mse = []
    for t in range(T + 1):
        G = np.zeros((R, d, d))
        h = np.zeros((R, d))
        count = np.zeros(R)
        for i0 in range(0, n, block):
            b = min(block, n - i0)
            X = rng.standard_normal((R, b, d))
            eps = rng.standard_normal((R, b))
            if t == 0:
                y = X @ theta_star + sigma * eps
                w = np.ones((R, b))
            else:
                y = np.matmul(X, theta[..., None])[..., 0] + sigma * eps
                w = (np.abs(y - X @ center) <= radius * np.sqrt((X * X).sum(-1)) + slack).astype(np.float64)
            Xw = X * w[..., None]
            G += np.matmul(Xw.transpose(0, 2, 1), X)
            h += np.einsum("rbd,rb->rd", Xw, y)
            count += w.sum(-1)
        failed |= count < d
        theta = solve_masked(G, h, ~failed)
        ok = ~failed
        err = ((theta[ok] - theta_star) ** 2).sum(-1)
        mse.append([float(err.mean()), float(err.std(ddof=1) / math.sqrt(len(err))) if len(err) > 1 else None])
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    return {
        "workload": "w2", "replicates": R, "generations": T + 1, "replicateGenerations": R * (T + 1), "seconds": seconds,
        "cpuUtilisation": round(cpu / seconds, 3),
        "mse": mse[-1][0], "mseSE": mse[-1][1], "failed": int(failed.sum()),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("workload", choices=["w1", "w2"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--d", type=int, default=None)
    parser.add_argument("--n", type=int, default=512)
    parser.add_argument("--n1", type=int, default=100)
    parser.add_argument("--n2", type=int, default=100)
    parser.add_argument("--generations", type=int, default=20)
    parser.add_argument("--block", type=int, default=64)
    parser.add_argument("--bias-count", type=int, default=300)
    parser.add_argument("--radius-count", type=int, default=150)
    parser.add_argument("--full-bias-count", type=int, default=0)
    parser.add_argument("--chunk-cells", type=int, default=150)
    parser.add_argument("--probe", default="0:0,0:74,0:149,100:0,100:74,100:149,200:0,200:74,200:149",
                        help="W1 cells whose per-estimator mean loss ± SE is reported: biasIndex:radiusIndex of the full grid (those the run contains)")
    args = parser.parse_args()
    if args.d is None:
        args.d = 5 if args.workload == "w1" else 16
    info = {"numpy": np.__version__, "python": sys.version.split()[0], "blas": blas_info(),
            "openblasEnv": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS")}}
    result = w1(args) if args.workload == "w1" else w2(args)
    print(json.dumps({**result, **info}))


if __name__ == "__main__":
    main()
