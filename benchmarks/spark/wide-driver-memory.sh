#!/usr/bin/env bash
# One step of the wide workload (1024-4096-4096-1024, 25.2 M parameters, batch 4,096, FP64) on
# 8 partitions, with each exchange, the driver's Java heap capped at $HEAP (default 2200m, about
# 11 x the 201 MB of one FP64 gradient). The executors are JVMs of their own (Spark's
# local-cluster[2,1,4096]: two one-core executors of 3 GB, started by an in-process master, no
# Spark installation needed), so the driver's heap holds the driver's work alone. Prints whether each
# run finished, its exchange line, and the driver's largest heap after a collection (what stayed live).
#
#   benchmarks/spark/wide-driver-memory.sh     (after ./mvnw -q -B package -DskipTests; one to two minutes a run)
set -euo pipefail
root=$(cd -- "$(dirname -- "$0")/../.." && pwd)
dir=${TMPDIR:-/tmp}/nabla-spark-wide
heap=${HEAP:-2200m}
[ -f "$dir/inputs.npy" ] || java "$root/benchmarks/spark/WorkloadData.java" "$dir" wide 4096
# local-cluster runs in Spark's test mode: spark.testing=1 gives the executors this JVM's class path.
cluster="-Dspark.testing=1 -Dspark.test.home=$dir -Dspark.executorEnv.SPARK_SCALA_VERSION=2.13 -Dspark.executor.memory=3g"
for exchange in collect reduce-scatter; do
  log=$dir/gc-$exchange.log
  status=finished
  NABLA_JAVA_OPTS="-Xmx$heap -Xlog:gc:file=$log $cluster -Dspark.nabla.exchange=$exchange" \
    "$root/bin/nabla" train --model "$dir/model.json" --data "$dir/inputs.npy" --targets "$dir/targets.npy" \
    --batch 4096 --epochs 1 --backend cpu --spark 'local-cluster[2,1,4096]' --partitions 8 \
    >"$dir/$exchange.txt" 2>&1 || status="failed: $(grep '^engine:' "$dir/$exchange.txt" | head -1)"
  live=$(sed -n 's/.*M->\([0-9]*\)M([0-9]*M).*/\1/p' "$log" | sort -n | tail -1)
  printf '%s (driver -Xmx%s): %s\n  driver heap after collections at most %s MB\n' "$exchange" "$heap" "$status" "${live:-?}"
  grep '^exchange:' "$dir/$exchange.txt" | sed 's/^/  /' || true
done
