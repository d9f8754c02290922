#!/usr/bin/env bash
# One step of the wide workload (1024-4096-4096-1024, 25.2 M parameters, batch 4,096, FP64) on
# engine train --spark 'local[2]' with 8 partitions, once with each exchange, in a JVM of -Xmx$HEAP
# (default 6g) that logs its collections. Prints each run's exchange line and the JVM's peak heap
# occupancy (the largest "before" of any collection; in local mode the JVM holds the driver and the
# executors' trainers alike, so the difference between the two runs is the exchange's).
#
#   benchmarks/spark/wide-driver-memory.sh     (after ./mvnw -q -B package -DskipTests; about a minute a run on 2 cores)
set -euo pipefail
root=$(cd -- "$(dirname -- "$0")/../.." && pwd)
dir=${TMPDIR:-/tmp}/nabla-spark-wide
heap=${HEAP:-6g}
[ -f "$dir/inputs.npy" ] || java "$root/benchmarks/spark/WorkloadData.java" "$dir" wide 4096
for exchange in collect reduce-scatter; do
  log=$dir/gc-$exchange.log
  NABLA_JAVA_OPTS="-Xmx$heap -Xlog:gc:file=$log -Dspark.nabla.exchange=$exchange" \
    "$root/bin/nabla" train --model "$dir/model.json" --data "$dir/inputs.npy" --targets "$dir/targets.npy" \
    --batch 4096 --epochs 1 --backend cpu --spark 'local[2]' --partitions 8 >"$dir/$exchange.txt" 2>&1 ||
    { echo "$exchange: the run failed:"; tail -3 "$dir/$exchange.txt"; continue; }
  peak=$(sed -n 's/.* \([0-9]*\)M->[0-9]*M([0-9]*M).*/\1/p' "$log" | sort -n | tail -1)
  printf '%s: peak heap %s MB in use\n  %s\n' "$exchange" "${peak:-?}" "$(grep '^exchange:' "$dir/$exchange.txt")"
done
