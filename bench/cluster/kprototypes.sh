#!/usr/bin/env bash
# Builds kprototypes_bench and runs it: Prepare + RunKPrototypes on seeded synthetic
# customers (1M rows, 6 numeric + 4 categorical features, 8 latent groups, k = 8), 3
# timed runs, medians. The table goes to stdout and bench/out/kprototypes.md.
#
#   bench/cluster/kprototypes.sh [--rows N] [--runs R] [--k K] [--threads T] [--seed S]
#
# There is no baseline: Debian packages no Python k-prototypes (the `kmodes` package is
# not available), so the target is absolute — the fit in under 10 s on 2 cores.
set -euo pipefail
cd "$(dirname "$(realpath "$0")")/../.."
BUILD=${BUILD:-build}
if [[ ! -f $BUILD/CMakeCache.txt ]]; then
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DSEGMENTA_BUILD_BENCH=ON >/dev/null
fi
# The build directory may be shared: build under the same lock as everyone else.
flock /tmp/segmenta-build.lock cmake --build "$BUILD" -j2 --target kprototypes_bench >/dev/null
mkdir -p bench/out
"$BUILD/kprototypes_bench" --out bench/out/kprototypes.md "$@"
