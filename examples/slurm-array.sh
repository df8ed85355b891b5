#!/bin/sh
# A synthloop run as a SLURM job array: task i runs shard i of N (SLURM_ARRAY_TASK_ID) and
# writes the shard's sums; a job that starts once every task has succeeded merges them into
# exactly what the run prints on one machine (README: "Shards, checkpoints, lost devices").
# A task checkpoints after every generation; a requeued (preempted) task resumes from there.
#
#   sh examples/slurm-array.sh                       # submits the array and the merge
#   SPEC=bakshi-plateau SHARDS=4 sh examples/slurm-array.sh
#
# Run it from this repository (built: `npm ci && npm run build`). SHARDS is at most ⌈R/256⌉,
# since shards split at whole blocks of 256 replicates. Add partition, GPU (--gres=gpu:1) and
# time limits to the sbatch lines as your cluster wants.
set -eu
SPEC=${SPEC:-shumailov-gaussian}
SHARDS=${SHARDS:-8}
RESULTS=${RESULTS:-results/$SPEC}

if [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
  mkdir -p "$RESULTS"
  export SPEC SHARDS RESULTS
  array=$(sbatch --parsable --job-name="synthloop-$SPEC" --array="0-$((SHARDS - 1))" --requeue \
    --output="$RESULTS/slurm-%A_%a.out" "$0")
  sbatch --job-name="synthloop-$SPEC-merge" --dependency="afterok:$array" --output="$RESULTS/slurm-merge-%j.out" \
    --wrap="npx synthloop merge $RESULTS/shard-*.json --format csv --out $RESULTS/$SPEC.csv"
  exit 0
fi

out=$RESULTS/shard-$SLURM_ARRAY_TASK_ID.json
checkpoint=$RESULTS/checkpoint-$SLURM_ARRAY_TASK_ID.json
if [ -f "$checkpoint" ]; then
  exec npx synthloop run --resume "$checkpoint" --out "$out"
fi
exec npx synthloop run "$SPEC" --shard "$SLURM_ARRAY_TASK_ID/$SHARDS" --checkpoint "$checkpoint" --out "$out"
