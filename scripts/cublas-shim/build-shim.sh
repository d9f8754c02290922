#!/usr/bin/env bash
# Builds libcublas.so.12, a forwarding library that lets JCublas 12.6 run on a host that has only
# CUDA 13's cuBLAS (libcublas.so.13). A tool of the GPU check, not part of the engine: the engine
# never loads it unless the check puts it on LD_LIBRARY_PATH.
#
#   scripts/cublas-shim/build-shim.sh JCUBLAS2_NATIVE.so OUT_DIR
#
# JCublas2's native library imports each cuBLAS function with the symbol version libcublas.so.12.
# The library built here has that soname, defines every imported name under that version node,
# and makes each one a single jump through a table that its constructor fills with dlsym() on
# libcublas.so.13. A name missing from libcublas.so.13 jumps to a stub that returns
# CUBLAS_STATUS_NOT_SUPPORTED instead of crashing.
set -euo pipefail
native="$1"
out="$2"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

nm -D --undefined-only "$native" | sed -n 's/^ *U \(cublas[A-Za-z0-9_]*\)@libcublas\.so\.12$/\1/p' | sort -u > "$work/names"
count=$(wc -l < "$work/names")
[ "$count" -gt 0 ] || { echo "build-shim: no libcublas.so.12 imports found in $native" >&2; exit 1; }

{
  echo '#define _GNU_SOURCE'
  echo '#include <dlfcn.h>'
  echo '#include <stdio.h>'
  echo "#define COUNT $count"
  echo 'void *nabla_cublas_table[COUNT] __attribute__((visibility("hidden")));'
  echo 'static const char *names[COUNT] = {'
  sed 's/.*/    "&",/' "$work/names"
  echo '};'
  cat <<'C'
/* CUBLAS_STATUS_NOT_SUPPORTED: what a function cuBLAS 13 no longer has answers. */
static int missing(void) { return 15; }

__attribute__((constructor)) static void load(void) {
    void *lib = dlopen("libcublas.so.13", RTLD_NOW | RTLD_GLOBAL);
    if (lib == NULL) {
        fprintf(stderr, "nabla cublas shim: %s\n", dlerror());
    }
    for (int i = 0; i < COUNT; i++) {
        void *f = lib == NULL ? NULL : dlsym(lib, names[i]);
        nabla_cublas_table[i] = f != NULL ? f : (void *) missing;
    }
}
C
} > "$work/shim.c"

{
  echo '.text'
  i=0
  while read -r name; do
    echo ".globl $name"
    echo ".type $name, @function"
    echo "$name:"
    echo "    jmp *nabla_cublas_table+$((8 * i))(%rip)"
    i=$((i + 1))
  done < "$work/names"
  echo '.section .note.GNU-stack,"",@progbits'
} > "$work/trampolines.S"

{
  echo 'libcublas.so.12 {'
  echo '  global:'
  sed 's/.*/    &;/' "$work/names"
  echo '  local: *;'
  echo '};'
} > "$work/version.map"

gcc -shared -fPIC -O2 -o "$out/libcublas.so.12" "$work/shim.c" "$work/trampolines.S" \
    -Wl,-soname,libcublas.so.12 -Wl,--version-script="$work/version.map" -ldl
echo "build-shim: $out/libcublas.so.12 forwards $count functions to libcublas.so.13"
