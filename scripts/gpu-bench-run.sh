#!/usr/bin/env bash
# bash .gpu-bench/run.sh [OUTDIR]: the bench suite on this machine's hardware WebGPU adapter (Dawn's Vulkan
# backend on the NVIDIA driver), from the folder `npm run bench:gpu:bundle` made (scripts/gpu-bench-bundle.mjs).
# Needs no network and no Node: unpacks its own Node and Dawn into a work folder, installs Debian's Vulkan
# loader only where `ldconfig -p` finds none (as root), points the loader at the NVIDIA ICD if its default
# search finds none, checks that a hardware adapter opens, then runs peak, W1–W4 at full size, W2 at
# R = 2²⁰ and W5 at R = 8 (then 32, 128 while the budget lasts) on that adapter alone — no twin, no
# peers — and writes OUTDIR/RESULTS.md's "GPU run" section and OUTDIR/results.json's key `gpu`
# (merged into what OUTDIR holds; default bench/). The whole run ends in under 8 minutes.
# Environment (all optional):
#   SYNTHLOOP_BENCH_ADAPTER=hardware    the adapter path (llvmpipe: the bundle's check on a machine without a GPU)
#   SYNTHLOOP_BENCH_SMOKE=1             every workload at its warm-up size (seconds on llvmpipe; measures nothing)
#   SYNTHLOOP_BENCH_BUDGET=330          seconds after which the bench starts nothing more
#   SYNTHLOOP_BENCH_DEADLINE=450        seconds after which this script stops the bench, counted from its start
#   SYNTHLOOP_BENCH_WORKLOADS=w1,w2,w3,w4,w2xl,w5    SYNTHLOOP_BENCH_W5_REPLICATES=8,32,128
#   SYNTHLOOP_GPU_BENCH_WORK=/tmp/synthloop-gpu-bench    where Node and Dawn are unpacked
# Exit status: 0 done (RESULTS.md written), 2 no adapter of that path (nothing written), 1 anything else.
set -uo pipefail
STARTED=$(date +%s)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
say() { printf '[gpu-bench %3ds] %s\n' $(( $(date +%s) - STARTED )) "$*" >&2; }
die() { say "FAILED: $1"; exit "${2:-1}"; }

ADAPTER=${SYNTHLOOP_BENCH_ADAPTER:-hardware}
SMOKE=${SYNTHLOOP_BENCH_SMOKE:-0}
BUDGET=${SYNTHLOOP_BENCH_BUDGET:-330}
DEADLINE=${SYNTHLOOP_BENCH_DEADLINE:-450}
export SYNTHLOOP_BENCH_WORKLOADS=${SYNTHLOOP_BENCH_WORKLOADS:-w1,w2,w3,w4,w2xl,w5}
W5_REPLICATES=${SYNTHLOOP_BENCH_W5_REPLICATES:-8,32,128}
OUTDIR=${1:-bench}
mkdir -p "$OUTDIR" || die "cannot create $OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)

[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || die "this bundle is for x86-64 Linux, not $(uname -s)-$(uname -m)"
for f in node.xz dawn.node.xz app/cli.mjs; do [ -f "$HERE/$f" ] || die "$HERE/$f missing: make the folder with npm run bench:gpu:bundle"; done

# 1. Node and Dawn, unpacked.
WORK=${SYNTHLOOP_GPU_BENCH_WORK:-${TMPDIR:-/tmp}/synthloop-gpu-bench}
unxz_to() {
  if command -v xz >/dev/null 2>&1; then xz -dc "$1" > "$2"
  elif command -v python3 >/dev/null 2>&1; then python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"
  else return 1; fi
}
rm -rf "$WORK" && mkdir -p "$WORK" || die "cannot create $WORK"
cp -r "$HERE/app" "$WORK/app" || die "cannot copy the app into $WORK"
unxz_to "$HERE/node.xz" "$WORK/node" || die "cannot unpack Node (needs xz or python3)"
unxz_to "$HERE/dawn.node.xz" "$WORK/app/node_modules/webgpu/dist/linux-x64/dawn.node" || die "cannot unpack dawn.node"
chmod +x "$WORK/node"
NODE="$WORK/node"
CLI="$WORK/app/cli.mjs"
say "node $("$NODE" --version 2>&1) in $WORK ($(du -sh "$WORK" | cut -f1))" ; "$NODE" -e 0 || die "the bundled Node does not run here (glibc ≥ 2.28 and libstdc++ needed)"

# 2. The Vulkan loader and the NVIDIA ICD (hardware only).
if [ "$ADAPTER" = hardware ]; then
  if ldconfig -p | grep -q 'libvulkan\.so\.1'; then
    say "Vulkan loader: $(ldconfig -p | grep -m1 'libvulkan\.so\.1' | sed 's/.*=> //')"
  else
    [ "$(id -u)" = 0 ] || die "no Vulkan loader (libvulkan.so.1) and not root to unpack $HERE/debs/*.deb into /"
    for deb in "$HERE"/debs/libvulkan1_*.deb; do
      [ -f "$deb" ] || die "no Vulkan loader here and no libvulkan1 .deb in $HERE/debs"
      dpkg -x "$deb" / || die "dpkg -x $deb / failed"
      say "unpacked $(basename "$deb") into /"
    done
    ldconfig
    ldconfig -p | grep -q 'libvulkan\.so\.1' || die "libvulkan.so.1 still not found by ldconfig after unpacking"
  fi
  # Where a container mounts the driver (/usr/local/nvidia), its libraries may not be on the search path.
  for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
    [ -d "$d" ] && export LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  done
  if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
    found=
    for dir in "${XDG_CONFIG_HOME:-${HOME:-/root}/.config}/vulkan/icd.d" /etc/xdg/vulkan/icd.d /etc/vulkan/icd.d "${XDG_DATA_HOME:-${HOME:-/root}/.local/share}/vulkan/icd.d" /usr/local/share/vulkan/icd.d /usr/share/vulkan/icd.d; do
      ls "$dir"/*nvidia*.json >/dev/null 2>&1 && found="$dir" && break
    done
    if [ -n "$found" ]; then say "NVIDIA ICD found by the loader search in $found"
    else
      for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/etc/vulkan/icd.d/nvidia_icd.json; do
        [ -f "$icd" ] && export VK_DRIVER_FILES="$icd" && break
      done
      say "VK_DRIVER_FILES=${VK_DRIVER_FILES:-(no NVIDIA ICD file found: the loader searches as usual)}"
    fi
  fi
  # SwiftShader's ICD must never be added to the driver list (node-gpu.ts adds it where chromium has one).
  export SYNTHLOOP_SWIFTSHADER_ICD=/nonexistent
  command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>&1 | sed 's/^/[gpu-bench] nvidia-smi: /' >&2
fi

# 3. The adapter opens, and runs a check kernel (src/core/gpu/device.ts).
probe() {
timeout --kill-after=5 120 "$NODE" "$CLI" --verbose devices --json > "$WORK/devices.json" 2> "$WORK/devices.log"
"$NODE" -e '
  const [file, path] = process.argv.slice(1);
  let probes = [];
  try { probes = JSON.parse(require("fs").readFileSync(file, "utf8")); } catch { console.error("synthloop devices printed no JSON (it failed or timed out: its log follows)"); process.exit(2); }
  const probe = probes.find((p) => p.path === path);
  if (!probe || !probe.ok) { console.error(`no ${path} adapter: ${probe ? probe.reason : "not probed"}`); process.exit(2); }
  const a = probe.adapter, l = a.limits;
  console.error(`${path} adapter: ${a.description} (${a.vendor}/${a.architecture}, ${a.device}), ${a.featureLevel} level, features [${a.features.join(", ")}], `
    + `storage binding ${Math.round(l.maxStorageBufferBindingSize / 2 ** 20)} MiB, workgroup storage ${l.maxComputeWorkgroupStorageSize / 1024} KiB, ${l.maxComputeInvocationsPerWorkgroup} invocations`);
' "$WORK/devices.json" "$ADAPTER" 2>&1 | sed 's/^/[gpu-bench] /' >&2
return "${PIPESTATUS[0]}"
}
probe; status=$?
NVIDIA_ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ "$status" != 0 ] && [ "$ADAPTER" = hardware ] && [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$NVIDIA_ICD" ]; then
  export VK_DRIVER_FILES="$NVIDIA_ICD"
  say "retrying with VK_DRIVER_FILES=$VK_DRIVER_FILES"
  probe; status=$?
fi
if [ "$status" != 0 ]; then
  sed 's/^/[gpu-bench]   devices: /' "$WORK/devices.log" | tail -n 20 >&2
  die "no $ADAPTER adapter: nothing measured, $OUTDIR left as it was" 2
fi

# 4. The suite, on that adapter alone, inside the time left.
args=(bench all --adapter "$ADAPTER" --no-twin --no-peers --out "$OUTDIR" --budget "$BUDGET" --w5-replicates "$W5_REPLICATES")
[ "$SMOKE" = 1 ] && args+=(--smoke)
left=$(( DEADLINE - ($(date +%s) - STARTED) ))
[ "$left" -gt 30 ] || die "only ${left} s left before the deadline"
SYNTHLOOP_BENCH_COMMAND="bash .gpu-bench/run.sh"
[ "$ADAPTER" != hardware ] && SYNTHLOOP_BENCH_COMMAND="SYNTHLOOP_BENCH_ADAPTER=$ADAPTER $SYNTHLOOP_BENCH_COMMAND"
[ "$SMOKE" = 1 ] && SYNTHLOOP_BENCH_COMMAND="SYNTHLOOP_BENCH_SMOKE=1 $SYNTHLOOP_BENCH_COMMAND"
export SYNTHLOOP_BENCH_COMMAND
say "synthloop ${args[*]} (workloads $SYNTHLOOP_BENCH_WORKLOADS; stopped after ${left} s)"
timeout --kill-after=10 "$left" "$NODE" "$CLI" --verbose "${args[@]}" 2>&1 | tee "$WORK/bench.log"
status=${PIPESTATUS[0]}
cp "$WORK/bench.log" "$OUTDIR/gpu-bench.log" 2>/dev/null
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
  say "the bench ran past the deadline and was stopped: $OUTDIR holds the workloads finished before it"
  exit 1
fi
[ "$status" = 0 ] || die "the bench failed (exit $status): see $OUTDIR/gpu-bench.log"
say "done: $OUTDIR/RESULTS.md (section \"GPU run\"), $OUTDIR/results.json (key gpu), $OUTDIR/gpu-bench.log"
