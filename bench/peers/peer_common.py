"""What the bench's Python peers share (bench/peers/numpy_peer.py, jax_peer.py, jax_mnist_peer.py):
W1's grid of cells with its probe cells, and the split of replicates over XLA host devices."""
import os

import numpy as np


def parse_probes(text):
    """`i:j,i:j`: cells by (index of the full bias grid, index of the radius grid)."""
    out = []
    for part in (text or "").split(","):
        if part.strip():
            i, j = part.split(":")
            out.append((int(i), int(j)))
    return out


def w1_grid(a):
    """W1's cells run (bias-major): every k-th bias of the full grid (k = full // count: the same values and
    per-cell work as the full 300), every radius; and the probe cells (biasIndex:radiusIndex of the full
    grid, bench/suite.ts compares them with the engine) located in it."""
    full = a.full_bias_count or a.bias_count
    full_biases = np.linspace(0, 0.25, full) if full > 1 else np.array([0.0])
    bias_index = np.arange(0, full, max(1, full // a.bias_count))[: a.bias_count]
    radii = np.linspace(0.01, 0.5, a.radius_count) if a.radius_count > 1 else np.array([0.01])
    probes = []
    for bi, rj in parse_probes(a.probe):
        hit = np.nonzero(bias_index == bi)[0]
        if len(hit) and rj < len(radii):
            probes.append(dict(biasIndex=bi, radiusIndex=rj, bias=float(full_biases[bi]), radius=float(radii[rj]),
                               cell=int(hit[0]) * len(radii) + rj))
    return full_biases[bias_index], radii, probes


def cores():
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def host_devices(requested, units):
    """XLA host-platform devices to split `units` (replicates, or blocks of them) over, each on its own
    thread: `requested`, else the most that divide `units`, at most one per core. Sets XLA_FLAGS (before
    jax is imported). None when `requested` does not divide `units`."""
    n_dev = requested or max(k for k in range(1, min(cores(), units) + 1) if units % k == 0)
    if units % n_dev:
        return None
    flags = os.environ.get("XLA_FLAGS", "")
    if "xla_force_host_platform_device_count" not in flags:
        os.environ["XLA_FLAGS"] = f"{flags} --xla_force_host_platform_device_count={n_dev}".strip()
    return n_dev
