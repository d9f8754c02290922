#!/usr/bin/env bash
# Regenerates the compiled kernels from the .cu sources. Needs nvcc (CUDA 12 or 13); the project's
# build does not: the output is committed.
#
#   kernels/build-kernels.sh [--out DIR]      (default DIR: kernels/src/main/resources/dev/nabla/kernels)
#
# For each src/main/cuda/<name>.cu it writes <name>.ptx:
#   1. nvcc -ptx for the virtual architecture compute_75 (Turing, the oldest the engine supports),
#      with every warning an error;
#   2. the PTX ISA version lowered to 8.0 (CUDA 12.0), so that every driver from r525 on can JIT it,
#      not only the CUDA 13 drivers (r580+) that nvcc 13's own PTX 9.0 needs;
#   3. checked by ptxas for sm_75, sm_80 and sm_90: ptxas refuses PTX that uses anything the lowered
#      ISA version does not have, so a kernel that needs a newer ISA fails here, not on a user's GPU;
#   4. headed by the SHA-256 of the sources it was built from, which a test compares with the
#      sources in the tree, so compiled kernels out of step with their sources fail the build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/src/main/cuda"
out="$here/src/main/resources/dev/nabla/kernels"
if [ "${1:-}" = "--out" ]; then
  out="$2"
fi
PTX_VERSION=8.0
ARCH=compute_75
CHECK_ARCHS="sm_75 sm_80 sm_90"

command -v nvcc >/dev/null || { echo "build-kernels: nvcc not found" >&2; exit 2; }
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# One module: compile, lower, check with ptxas, write. Modules build side by side (one per core).
build_one() {
  local cu="$1" name arch hash
  name="$(basename "$cu" .cu)"
  nvcc -ptx -arch="$ARCH" -std=c++17 -Werror all-warnings -I"$src" -o "$tmp/$name.raw.ptx" "$cu"
  grep -q '^\.version 9\.0$\|^\.version 8\.[0-9]$' "$tmp/$name.raw.ptx" || {
    echo "build-kernels: $name: unexpected PTX version line" >&2; exit 1; }
  sed "s/^\.version [0-9]*\.[0-9]*$/.version $PTX_VERSION/" "$tmp/$name.raw.ptx" > "$tmp/$name.body.ptx"
  local checks=()
  for arch in $CHECK_ARCHS; do # the architectures' checks side by side too: ptxas takes longest
    ptxas -arch="$arch" -Werror "$tmp/$name.body.ptx" -o "$tmp/$name.$arch.cubin" &
    checks+=("$!")
  done
  for pid in "${checks[@]}"; do wait "$pid"; done
  hash="$(cat "$cu" "$src"/*.cuh | sha256sum | cut -d' ' -f1)"
  {
    echo "// nabla-kernel: $name"
    echo "// nabla-source-sha256: $hash"
    echo "// nabla-ptx-isa: $PTX_VERSION (lowered from nvcc's output; ptxas-checked for $CHECK_ARCHS)"
    cat "$tmp/$name.body.ptx"
  } > "$out/$name.ptx"
  echo "build-kernels: $name.ptx"
}

jobs_max="$(nproc 2>/dev/null || echo 2)"
pids=()
for cu in "$src"/*.cu; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
  build_one "$cu" &
  pids+=("$!")
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit "$status"
