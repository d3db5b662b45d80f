#!/usr/bin/python3
"""scikit-learn's side of bench/cluster/gmm.sh, on the files `gmm_bench generate` wrote.

    sklearn_gmm.py run DIR [runs=3] [threads=2]   one JSON line per measurement
    sklearn_gmm.py table DIR                      markdown table from DIR/*.jsonl

GaussianMixture starts where Segmenta's FitGaussianMixtureFrom starts: every row given to
its nearest initial mean, one M step for the weights and covariances, the means as given
(means_init, weights_init, precisions_init; init_params='random' so that no k-means runs
inside fit). That start is computed before the clock starts; Segmenta's timing includes
its own. Threads are limited with threadpoolctl (and OMP_NUM_THREADS from gmm.sh).
"""

import json
import os
import statistics
import sys
import time

import numpy as np
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.mixture._gaussian_mixture import _estimate_gaussian_parameters
from threadpoolctl import threadpool_limits


def load(directory):
    with open(os.path.join(directory, "shape.txt")) as shape:
        rows, dims, k = (int(v) for v in shape.read().split())
    x = np.fromfile(os.path.join(directory, "data.f64"), dtype=np.float64).reshape(rows, dims)
    means = np.fromfile(os.path.join(directory, "means.f64"), dtype=np.float64).reshape(k, dims)
    labels = np.fromfile(os.path.join(directory, "labels.i32"), dtype=np.int32)
    return x, means, labels


def nearest(x, means, chunk=65536):
    out = np.empty(len(x), dtype=np.int64)
    for start in range(0, len(x), chunk):
        part = x[start:start + chunk]
        out[start:start + chunk] = ((part[:, None, :] - means[None]) ** 2).sum(axis=2).argmin(axis=1)
    return out


def hard_start(x, means, covariance, reg=1e-6):
    resp = np.zeros((len(x), len(means)))
    resp[np.arange(len(x)), nearest(x, means)] = 1.0
    weights, _, covariances = _estimate_gaussian_parameters(x, resp, reg, covariance)
    weights /= len(x)
    precisions = np.linalg.inv(covariances) if covariance == "full" else 1.0 / covariances
    return weights, precisions


def fit_gmm(x, means, covariance, weights, precisions):
    return GaussianMixture(n_components=len(means), covariance_type=covariance, max_iter=100,
                           tol=1e-3, reg_covar=1e-6, weights_init=weights, means_init=means,
                           precisions_init=precisions, init_params="random",
                           random_state=0).fit(x)


def measure(method, runs, once):
    seconds, fields = [], {}
    for _ in range(runs):
        start = time.perf_counter()
        fields = once()
        seconds.append(time.perf_counter() - start)
    record = {"side": "sklearn", "method": method, "seconds": seconds,
              "median": statistics.median(seconds)}
    record.update(fields)
    print(json.dumps(record), flush=True)


def run(directory, runs, threads):
    x, means, labels = load(directory)
    with threadpool_limits(limits=threads):
        for covariance in ("full", "diag"):
            weights, precisions = hard_start(x, means, covariance)

            # Only fit() is timed; score() and bic() follow, untimed, as on Segmenta's
            # side where the fit's last E step yields them.
            seconds, model = [], None
            for _ in range(runs):
                start = time.perf_counter()
                model = fit_gmm(x, means, covariance, weights, precisions)
                seconds.append(time.perf_counter() - start)
            record = {"side": "sklearn", "method": "gmm_" + covariance, "seconds": seconds,
                      "median": statistics.median(seconds), "iterations": int(model.n_iter_),
                      "mean_log_likelihood": float(model.score(x)), "bic": float(model.bic(x))}
            print(json.dumps(record), flush=True)
        measure("silhouette_10000", runs, lambda: {
            "value": float(silhouette_score(x, labels, sample_size=10000, random_state=0))})
        measure("calinski_harabasz", runs,
                lambda: {"value": float(calinski_harabasz_score(x, labels))})
        measure("davies_bouldin", runs, lambda: {"value": float(davies_bouldin_score(x, labels))})


LABELS = {
    "gmm_full": "GMM full covariance, k = 8 (fit)",
    "gmm_diag": "GMM diagonal covariance, k = 8 (fit)",
    "silhouette_10000": "silhouette, sample of 10,000",
    "calinski_harabasz": "Calinski–Harabasz",
    "davies_bouldin": "Davies–Bouldin",
}


def table(directory):
    records = {}
    for side in ("segmenta", "sklearn"):
        with open(os.path.join(directory, side + ".jsonl")) as lines:
            for line in lines:
                record = json.loads(line)
                records[(record["side"], record["method"])] = record
    rows, dims, k = open(os.path.join(directory, "shape.txt")).read().split()
    print("%s rows × %s features, k = %s; medians of %d runs, in seconds. GMM: both sides start "
          "from the same means, weights and covariances, max_iter 100, tol 1e-3; per iteration "
          "= fit time / iterations. Silhouette samples differ (each side's own seeded sample)." %
          (rows, dims, k, len(records[("segmenta", "gmm_full")]["seconds"])))
    print()
    print("| measurement | Segmenta | scikit-learn | speed-up | iterations (ours / sklearn) "
          "| per iteration (ours / sklearn) | result (ours / sklearn) |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for method, label in LABELS.items():
        ours, theirs = records[("segmenta", method)], records[("sklearn", method)]
        key = "mean_log_likelihood" if method.startswith("gmm") else "value"
        iterations = per_iteration = "—"
        if "iterations" in ours:
            iterations = "%d / %d" % (ours["iterations"], theirs["iterations"])
            per_iteration = "%.4f / %.4f" % (ours["median"] / max(1, ours["iterations"]),
                                             theirs["median"] / max(1, theirs["iterations"]))
        result = "%.10g / %.10g" % (ours[key], theirs[key])
        if method.startswith("gmm"):
            result += " (rel. diff %.1e)" % (abs(ours[key] - theirs[key]) / abs(theirs[key]))
        print("| %s | %.4f | %.4f | %.1f× | %s | %s | %s |" %
              (label, ours["median"], theirs["median"], theirs["median"] / ours["median"],
               iterations, per_iteration, result))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "run":
        run(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 3,
            int(sys.argv[4]) if len(sys.argv) > 4 else 2)
    elif len(sys.argv) == 3 and sys.argv[1] == "table":
        table(sys.argv[2])
    else:
        sys.exit(__doc__)
