#!/usr/bin/python3
"""scikit-learn's k-means on the data kmeans_bench wrote: the baseline for kmeans.sh.

    OMP_NUM_THREADS=2 /usr/bin/python3 bench/cluster/sklearn_kmeans.py \\
        --data x.npy --init init.npy --algorithm lloyd --max-iter 20 --tol 0 --runs 3

Prints one JSON line per run with the same fields as `kmeans_bench fit`: total fit time,
per-iteration time (= fit time / n_iter_), iterations and inertia. The initial centroids
are the ones kmeans_bench seeded (n_init=1), so both start from the same point.
Debian 12: python3-sklearn 1.2.1, python3-threadpoolctl.
"""
import argparse
import json
import time

import numpy as np
from sklearn.cluster import KMeans

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # OMP_NUM_THREADS from the environment limits the threads then
    threadpool_limits = None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--init", required=True)
    parser.add_argument("--algorithm", default="lloyd", choices=["lloyd", "elkan"])
    parser.add_argument("--max-iter", type=int, default=300)
    parser.add_argument("--tol", type=float, default=1e-4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    data = np.ascontiguousarray(np.load(args.data), dtype=np.float64)
    init = np.ascontiguousarray(np.load(args.init), dtype=np.float64)
    for run in range(args.runs):
        model = KMeans(n_clusters=init.shape[0], init=init, n_init=1, algorithm=args.algorithm,
                       max_iter=args.max_iter, tol=args.tol, copy_x=True)
        start = time.perf_counter()
        if threadpool_limits is not None:
            with threadpool_limits(limits=args.threads):
                model.fit(data)
        else:
            model.fit(data)
        seconds = time.perf_counter() - start
        print(json.dumps({
            "impl": "sklearn", "algorithm": args.algorithm, "type": "f64",
            "rows": data.shape[0], "cols": data.shape[1], "k": init.shape[0],
            "threads": args.threads, "max_iter": args.max_iter, "tol": args.tol, "run": run,
            "seconds": seconds, "iterations": int(model.n_iter_),
            "per_iteration_ms": 1e3 * seconds / model.n_iter_, "inertia": float(model.inertia_),
        }), flush=True)


if __name__ == "__main__":
    main()
