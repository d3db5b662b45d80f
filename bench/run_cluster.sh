#!/usr/bin/env bash
# Every clustering benchmark of bench/README.md, one after the other (they each use both
# cores), against scikit-learn 1.2 from Debian where it has the algorithm:
#   bench/cluster/kmeans.sh       Lloyd per iteration and full fits, 1M and 10M × 8
#   bench/cluster/gmm.sh          Gaussian mixtures, sampled silhouette, CH, DB, 1M × 8
#   bench/cluster/kprototypes.sh  k-prototypes, 1M × (6 numeric + 4 categorical)
#   bench/cluster/auto_k.sh       k = 2..10 inside `segmenta run` on the 1M demo
#
#   bench/run_cluster.sh          (about 15 minutes on 2 cores)
#
# Builds the benchmark executables first. The 1M demo must be ingested for auto_k.sh
# (bench/run_segments.sh does it). Tables: bench/out/kmeans/table.md,
# bench/out/gmm/results.md, bench/out/kprototypes.md, bench/out/auto_k.md.
set -euo pipefail
cd "$(dirname "$(realpath "$0")")/.."
cmake -S . -B build -DSEGMENTA_BUILD_BENCH=ON >/dev/null
cmake --build build -j"$(nproc)" --target segmenta kmeans_bench gmm_bench kprototypes_bench >/dev/null
bench/cluster/kmeans.sh
bench/cluster/gmm.sh 1000000 3
bench/cluster/kprototypes.sh
bench/cluster/auto_k.sh
