#!/usr/bin/env bash
# The GPU check. Run on a GPU host from the repository root, after scripts/device-bundle.sh built
# device-bundle/ (here, or on any x86-64 Linux machine with a JDK 17 and Maven) and it was copied there:
#
#   scripts/device-check.sh [all|tests|bench]
#
# Needs only the NVIDIA driver; no Java, no network. Prints, and writes to $OUT (default
# ./device-check-out): nvidia-smi; `engine devices`; then, for `tests` (or `all`, the default), the
# CUDA test suite on Nabla's own GEMM path, the suite again with cuBLAS (through the forwarding
# libcublas.so.12 when the host has only CUDA 13's libcublas.so.13), `engine example --backend
# cuda`; and for `bench` (or `all`), `engine bench`: the standard workloads on the CPU and the GPU,
# alternating with NumPy and PyTorch eager where the host's python3 has them, written also to
# $OUT/bench.json; then the GPU steps again without CUDA graphs; then PyTorch's torch.compile on
# mnist fp32 where it compiles. Each step has its own time limit: `tests` takes up to about 8
# minutes, `bench` up to about 8.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bundle="${NABLA_BUNDLE:-$root/device-bundle}"
out="${OUT:-$root/device-check-out}"
mkdir -p "$out"
what="${1:-all}"
case "$what" in all|tests|bench) ;; *) echo "device-check: unknown part '$what' (all, tests or bench)"; exit 2 ;; esac
exec > >(tee "$out/device-check-$what.log") 2>&1

java="$bundle/jre/bin/java"
if [ ! -x "$java" ]; then
  echo "device-check: no bundle at $bundle; run scripts/device-bundle.sh first (on a machine with a JDK and Maven)"
  exit 2
fi
section() { echo; echo "=== $* ==="; }
# The Vector API module gives the CPU backend its vectorized kernels: the CPU figures need it.
jvm=("$java" --add-modules jdk.incubator.vector)
engine() { timeout 240 "${jvm[@]}" -jar "$bundle/engine.jar" "$@"; echo "(exit $?)"; }

# The driver library: on the loader's path already, or in a driver folder that is not.
if ! ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1'; then
  for dir in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/wsl/lib /usr/lib64 /usr/local/cuda/compat; do
    if [ -e "$dir/libcuda.so.1" ]; then
      export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
      echo "device-check: libcuda.so.1 found in $dir"
      break
    fi
  done
fi

section "nvidia-smi"
timeout 30 nvidia-smi || echo "nvidia-smi: not available"
section "engine devices"
engine devices

suite() { # suite NAME SELECTOR...: CUDA tests through the JUnit console launcher, output in $out/tests-NAME.txt
  local name="$1"
  shift
  timeout 200 "${jvm[@]}" -jar "$bundle/lib/junit-platform-console-standalone.jar" execute \
      --class-path "$bundle/engine.jar:$bundle/lib/engine-core-tests.jar:$bundle/lib/engine-cuda-tests.jar" \
      --disable-banner --details=summary --details-theme=ascii --reports-dir="$out/junit-$name" \
      --exclude-engine=junit-vintage --exclude-engine=junit-platform-suite --fail-if-no-tests "$@" \
      > "$out/tests-$name.txt" 2>&1
  echo "(tests $name: exit $?)"
  grep -v '^\[parity\]' "$out/tests-$name.txt" | tail -40
}
largest() { # largest PATH: the largest CUDA-vs-CPU differences the parity tests printed for that GEMM path
  local prec
  for prec in "fp64 (bound 1e-8)" "fp32 (bound 1e-5 relative + 1e-6)"; do
    echo "largest CUDA-vs-CPU differences, $1 path, $prec:"
    grep -h "^\[parity\] $1 ${prec%% *} " "$out"/tests-*.txt | awk '{print $NF, $0}' | sort -g | uniq | tail -4 | cut -d' ' -f2-
  done
}

if [ "$what" != bench ]; then
section "CUDA tests, Nabla's own GEMM kernels (cuBLAS only if the host has libcublas.so.12)"
suite own --select-package=dev.nabla.cuda --exclude-classname='.*Emulated.*' # those stand in for a GPU where there is none
largest KERNELS

section "CUDA tests with cuBLAS"
cublas13="$(find /usr /opt /root -name 'libcublas.so.13*' 2>/dev/null | head -1)"
shim_path=""
if [ -n "$cublas13" ]; then
  echo "libcublas.so.13: $cublas13; JCublas 12.6 reaches it through $bundle/cublas-shim/libcublas.so.12"
  shim_path="$bundle/cublas-shim:$(dirname "$cublas13")"
else
  echo "no libcublas.so.13 on this host; cuBLAS is used only if a libcublas.so.12 is on the loader's path"
fi
export LD_LIBRARY_PATH="$shim_path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
suite cublas --select-class=dev.nabla.cuda.CudaCublasConformanceTest \
    --select-class=dev.nabla.cuda.CudaVersusCpuTest --select-class=dev.nabla.cuda.CudaFallbackTest
largest CUBLAS

section "engine example --backend cuda"
engine example --backend cuda
section "engine devices, with cuBLAS reachable"
engine devices

fi

if [ "$what" != tests ]; then
section "engine bench: CPU against GPU, and against NumPy and PyTorch eager, alternating"
cublas13="${cublas13-$(find /usr /opt /root -name 'libcublas.so.13*' 2>/dev/null | head -1)}"
if [ -n "$cublas13" ]; then
  export LD_LIBRARY_PATH="$bundle/cublas-shim:$(dirname "$cublas13")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
peers=()
if timeout 60 python3 -c "import numpy" 2>/dev/null; then
  peers=(--peers --peer-engines numpy,torch-eager-cpu,torch-eager-cuda)
  timeout 60 python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())" \
      2>&1 | tail -1
else
  echo "no python3 with NumPy here: Nabla alone"
fi
timeout 330 "${jvm[@]}" -jar "$bundle/engine.jar" bench "${peers[@]}" --min-seconds 0.3 --max-seconds 3 \
    --json "$out/bench.json"
echo "(exit $?)"
echo "--- the same GPU steps without CUDA graphs (one launch per operation), for the graphs' share"
timeout 60 "${jvm[@]}" -Dnabla.cuda.graphs=false -jar "$bundle/engine.jar" bench --backend cuda --workload mnist \
    --workload seed --min-seconds 0.3 --max-seconds 2
echo "(exit $?)"
if [ ${#peers[@]} -gt 0 ]; then
  echo "--- torch.compile, mnist fp32 on the GPU"
  timeout 100 "${jvm[@]}" -jar "$bundle/engine.jar" bench --workload mnist --precision fp32 --backend cuda \
      --peers --peer-engines torch-compile-cuda --min-seconds 0.3 --max-seconds 3
  echo "(exit $?)"
fi
fi
section "done; logs in $out"
