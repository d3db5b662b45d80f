#!/usr/bin/python3
"""Golden values for src/segment/cluster/metrics_test.cc and mixture_test.cc.

Computed by scikit-learn; run with Debian's Python (scikit-learn 1.2.1, numpy 1.24):

    /usr/bin/python3 tests/golden/cluster/make_golden.py

It writes, beside itself, the inputs and the values the C++ tests compare with. Every
file is plain text: one record per line, a name then whitespace-separated numbers
(data files: numbers only, one row per line). The C++ tests never run Python.

  metrics_data.txt      240 × 3 points (blobs)
  metrics_tiny.txt      6 × 2 points with duplicates (silhouette's 0/0 case)
  metrics_expected.txt  labellings and silhouette / Calinski–Harabasz / Davies–Bouldin /
                        adjusted Rand values
  mixture_data.txt      450 × 3 points from three anisotropic Gaussians
  mixture_expected.txt  per case: the initial means and scikit-learn's GaussianMixture
                        after EM from them
"""

import os

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import (adjusted_rand_score, calinski_harabasz_score,
                             davies_bouldin_score, silhouette_score)
from sklearn.mixture import GaussianMixture
from sklearn.mixture._gaussian_mixture import _estimate_gaussian_parameters

HERE = os.path.dirname(os.path.abspath(__file__))


def fmt(values):
    return " ".join("%.17g" % v for v in np.ravel(values))


def write_rows(name, rows):
    with open(os.path.join(HERE, name), "w") as out:
        for row in rows:
            out.write(fmt(row) + "\n")


class Records:
    def __init__(self, name):
        self.out = open(os.path.join(HERE, name), "w")
        self.out.write("# written by make_golden.py with scikit-learn %s, numpy %s\n" %
                       (sklearn.__version__, np.__version__))

    def add(self, key, values):
        self.out.write(key + " " + fmt(values) + "\n")


def metrics():
    x, truth = make_blobs(n_samples=240, centers=4, n_features=3,
                          cluster_std=[1.0, 1.5, 0.5, 2.0], random_state=7)
    write_rows("metrics_data.txt", x)
    kmeans = KMeans(n_clusters=5, n_init=10, random_state=0).fit_predict(x)
    # Ids 0, 1, 3, 4 and 5 used (2 empty), row 0 alone in cluster 5.
    gaps = np.array([0, 1, 3, 4])[truth]
    gaps[0] = 5
    labellings = {"truth": (truth, 4), "kmeans": (kmeans, 5), "gaps": (gaps, 6)}
    rec = Records("metrics_expected.txt")
    for name, (labels, k) in labellings.items():
        rec.add("labels_" + name, labels)
        rec.add("k_" + name, [k])
        rec.add("silhouette_" + name, [silhouette_score(x, labels)])
        rec.add("calinski_harabasz_" + name, [calinski_harabasz_score(x, labels)])
        rec.add("davies_bouldin_" + name, [davies_bouldin_score(x, labels)])
    random_labels = np.random.RandomState(1).randint(0, 6, size=len(x))
    rec.add("labels_random", random_labels)
    rec.add("ari_truth_kmeans", [adjusted_rand_score(truth, kmeans)])
    rec.add("ari_truth_gaps", [adjusted_rand_score(truth, gaps)])
    rec.add("ari_kmeans_random", [adjusted_rand_score(kmeans, random_labels)])

    tiny = np.array([[0, 0], [0, 0], [0, 0], [0, 0], [1, 1], [1, 1]], dtype=float)
    tiny_labels = np.array([0, 0, 1, 1, 2, 2])
    write_rows("metrics_tiny.txt", tiny)
    rec.add("labels_tiny", tiny_labels)
    rec.add("silhouette_tiny", [silhouette_score(tiny, tiny_labels)])
    rec.add("calinski_harabasz_tiny", [calinski_harabasz_score(tiny, tiny_labels)])
    rec.add("davies_bouldin_tiny", [davies_bouldin_score(tiny, tiny_labels)])


def mixture_data():
    random = np.random.RandomState(3)
    means = np.array([[0.0, 0.0, 0.0], [4.0, 1.0, -1.0], [1.0, 5.0, 2.0]])
    parts = []
    for component, size in enumerate([200, 150, 100]):
        shape = random.normal(size=(3, 3)) * 0.8 + np.eye(3)
        parts.append(random.normal(size=(size, 3)) @ shape + means[component])
    x = np.vstack(parts)
    write_rows("mixture_data.txt", x)
    return x


def hard_start(x, means, covariance, reg):
    """The state FitGaussianMixtureFrom starts from: each row given to its nearest
    initial mean, one M step on those responsibilities, the means kept as given."""
    nearest = ((x[:, None, :] - means[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    resp = np.zeros((len(x), len(means)))
    resp[np.arange(len(x)), nearest] = 1.0
    weights, _, covariances = _estimate_gaussian_parameters(x, resp, reg, covariance)
    weights /= len(x)
    precisions = np.linalg.inv(covariances) if covariance == "full" else 1.0 / covariances
    return weights, precisions


def mixture():
    x = mixture_data()
    rec = Records("mixture_expected.txt")
    starts = {
        "k3": x[[5, 210, 420]] + 0.25,
        "k4": x[[0, 1, 300, 449]],
    }
    cases = [
        ("full_k3", "full", "k3", 1e-3, 100),
        ("diag_k3", "diag", "k3", 1e-3, 100),
        ("full_k4_iter7", "full", "k4", 1e-3, 7),
        ("diag_k4_iter7", "diag", "k4", 1e-3, 7),
        ("full_k3_tight", "full", "k3", 1e-10, 1000),
    ]
    reg = 1e-6
    for name, covariance, start, tol, max_iter in cases:
        means = starts[start]
        weights, precisions = hard_start(x, means, covariance, reg)
        model = GaussianMixture(n_components=len(means), covariance_type=covariance, tol=tol,
                                max_iter=max_iter, reg_covar=reg, weights_init=weights,
                                means_init=means, precisions_init=precisions,
                                init_params="random", random_state=0).fit(x)
        rec.add(name + "_options", [len(means), 1 if covariance == "full" else 0, tol, max_iter])
        rec.add(name + "_initial_means", means)
        rec.add(name + "_iterations", [model.n_iter_])
        rec.add(name + "_converged", [1 if model.converged_ else 0])
        rec.add(name + "_weights", model.weights_)
        rec.add(name + "_means", model.means_)
        rec.add(name + "_covariances", model.covariances_)
        rec.add(name + "_mean_log_likelihood", [model.score(x)])
        rec.add(name + "_bic", [model.bic(x)])
        rec.add(name + "_probabilities_head", model.predict_proba(x[:5]))
        rec.add(name + "_labels", model.predict(x))


if __name__ == "__main__":
    metrics()
    mixture()
