#!/usr/bin/env bash
# engine train on one machine against engine train --spark 'local[2]' (2 partitions), on data and a
# model of the mnist workload's shape (784-256-256-10, batch 1,024, FP64, 20 steps an epoch),
# alternating run by run. Prints each run's samples/s over epochs 2 to 4 (the first is the JIT's),
# the medians with their range, their ratio, and the Spark runs' split of the step time.
#
#   benchmarks/spark/one-machine-vs-spark.sh [REPEATS]     (default 3; after ./mvnw -q -B package -DskipTests)
set -euo pipefail
root=$(cd -- "$(dirname -- "$0")/../.." && pwd)
dir=${TMPDIR:-/tmp}/nabla-spark-bench
repeats=${1:-3}
[ -f "$dir/inputs.npy" ] || java "$root/benchmarks/spark/WorkloadData.java" "$dir" mnist 20480
run=(train --model "$dir/model.json" --data "$dir/inputs.npy" --targets "$dir/targets.npy"
  --batch 1024 --epochs 4 --backend cpu)

# samples/s over epochs 2..4 of a run's output: their samples over their seconds.
rate() { awk '/^epoch [234]\/4/ { s += 20480; t += $5 } END { printf "%.0f", s / t }' "$1"; }
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.0f (%.0f-%.0f)", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1], v[NR] }'; }

one=() spark=()
for r in $(seq "$repeats"); do
  "$root/bin/nabla" "${run[@]}" >"$dir/one-$r.txt" 2>/dev/null
  "$root/bin/nabla" "${run[@]}" --spark 'local[2]' --partitions 2 >"$dir/spark-$r.txt" 2>/dev/null
  one+=("$(rate "$dir/one-$r.txt")")
  spark+=("$(rate "$dir/spark-$r.txt")")
  printf 'run %d: one machine %s samples/s, Spark local[2] %s samples/s\n' "$r" "${one[-1]}" "${spark[-1]}"
  grep '^exchange:' "$dir/spark-$r.txt"
done
m1=$(printf '%s\n' "${one[@]}" | median)
m2=$(printf '%s\n' "${spark[@]}" | median)
printf 'median (range): one machine %s, Spark %s samples/s; Spark/one machine %.2f\n' "$m1" "$m2" \
  "$(awk -v a="${m2%% *}" -v b="${m1%% *}" 'BEGIN { print a / b }')"
