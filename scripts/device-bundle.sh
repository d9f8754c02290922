#!/usr/bin/env bash
# Builds device-bundle/ (git-ignored): everything the GPU check needs on a bare GPU host with no
# Java and no network. Run here, from anywhere in the repository:
#
#   scripts/device-bundle.sh
#
# It holds: jre/ (a Java runtime made with jlink from this JDK, with only the modules needed),
# engine.jar (the engine with its dependencies and kernels), lib/ (the test classes and the JUnit
# console launcher) and cublas-shim/libcublas.so.12 (see scripts/cublas-shim/build-shim.sh). Then
# run scripts/device-check.sh on the GPU host.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bundle="$root/device-bundle"
limit_mib=60

rm -rf "$bundle"
mkdir -p "$bundle/lib"
mvn -q -B package -DskipTests
cp engine-cli/target/engine.jar "$bundle/"
cp engine-core/target/engine-core-*-tests.jar "$bundle/lib/engine-core-tests.jar"
jar cf "$bundle/lib/engine-cuda-tests.jar" -C engine-cuda/target/test-classes .
junit_platform="$(sed -n 's:.*<junit.platform.version>\(.*\)</junit.platform.version>.*:\1:p' pom.xml)"
mvn -q -B dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_platform" \
    -DoutputDirectory="$bundle/lib" -Dmdep.stripVersion=true

# The JDK modules the jars use, found by jdeps, and three that only reflection or a service reaches:
# jdk.unsupported (Unsafe), jdk.zipfs (JUnit scans jars for test classes through the zip file system)
# and jdk.incubator.vector (the CPU backend's vectorized kernels, loaded by name when present).
modules="$(jdeps --print-module-deps --ignore-missing-deps --multi-release 17 \
    --class-path "$bundle/lib/*" "$bundle/engine.jar" "$bundle/lib/"*.jar)"
modules="$(echo "$modules,jdk.unsupported,jdk.zipfs,jdk.incubator.vector" | tr ',' '\n' | sort -u | paste -sd, -)"
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 \
    --output "$bundle/jre"

jcublas2="$(mktemp)"
unzip -p "$bundle/engine.jar" lib/libJCublas2-12.6.0-linux-x86_64.so > "$jcublas2"
scripts/cublas-shim/build-shim.sh "$jcublas2" "$bundle/cublas-shim"
rm -f "$jcublas2"

size_mib=$(du -sm "$bundle" | cut -f1)
echo "device-bundle: $bundle, ${size_mib} MiB (modules: $modules)"
if [ "$size_mib" -ge "$limit_mib" ]; then
  echo "device-bundle: larger than $limit_mib MiB" >&2
  exit 1
fi
