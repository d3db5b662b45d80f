"""The k = auto search the way an analyst would write it with scikit-learn.

    sklearn_auto_k.py FEATURES.csv MODEL.json

Prepares the features exactly as segmenta's stored model says (log1p, imputation,
z-score: the fitted parameters are read from MODEL.json, the `segmenta --json show
behaviour` output), then times, for every k of the model's search: KMeans with the same
number of restarts, silhouette_score on a 10,000-row sample, calinski_harabasz_score
and davies_bouldin_score. Prints one JSON line. Preparation is not timed.
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score


def prepare(frame, preparation):
    columns = []
    for feature in preparation["numeric"]:
        values = frame[feature["name"]].to_numpy(dtype=float)
        if feature["transform"] == "log1p":
            values = np.log1p(np.clip(values, 0, None))
        values = np.where(np.isnan(values), feature["impute"], values)
        values = (values - feature["center"]) / feature["scale"] * np.sqrt(feature["weight"])
        columns.append(values)
    return np.ascontiguousarray(np.column_stack(columns))


def main():
    model = json.load(open(sys.argv[2]))["model"]
    features = [f["name"] for f in model["preparation"]["model"]["numeric"]]
    frame = pd.read_csv(sys.argv[1], usecols=features)
    data = prepare(frame, model["preparation"]["model"])
    ks = [figures["k"] for figures in model["k_search"]]
    started = time.perf_counter()
    figures = []
    for k in ks:
        fit = KMeans(n_clusters=k, n_init=model["restarts"], random_state=model["seed"]).fit(data)
        figures.append({
            "k": k,
            "inertia": fit.inertia_,
            "silhouette": silhouette_score(data, fit.labels_, sample_size=10000,
                                           random_state=model["seed"]),
            "calinski_harabasz": calinski_harabasz_score(data, fit.labels_),
            "davies_bouldin": davies_bouldin_score(data, fit.labels_),
        })
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": len(data), "cols": data.shape[1], "seconds": seconds,
                      "figures": figures}))


if __name__ == "__main__":
    main()
