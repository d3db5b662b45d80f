#!/usr/bin/env python3
"""RFM and segment profiles in pandas: the baseline for `segmenta run`'s RFM part.

    pandas_rfm.py FEATURES.csv OUT.csv

Reads the feature table (as `segmenta features --out F.csv` writes it), scores R/F/M
with numpy.percentile (linear interpolation) over the buyers exactly as ARCHITECTURE.md
defines RFM, names segments from the default R/F grid, and computes each segment's
size, revenue share and mean / p10 / median / p90 of the key features. Writes
customer_id,segment to OUT.csv for comparison with segmenta's membership.
"""
import sys

import numpy as np
import pandas as pd

GRID = {"Champions": ["5[4-5]"], "Loyal": ["[3-4][4-5]"], "Potential Loyalists": ["[4-5][2-3]"],
        "New Customers": ["51"], "Promising": ["41"], "Need Attention": ["33"],
        "About To Sleep": ["3[1-2]"], "Can't Lose Them": ["[1-2]5"], "At Risk": ["[1-2][3-4]"],
        "Hibernating": ["[1-2][1-2]"]}
KEY = ["recency_days", "frequency", "monetary", "avg_order_value", "tenure_days",
       "interpurchase_days_mean", "revenue_trend", "email_open_rate"]


def cells(pattern):
    def scores(part):
        return range(int(part[1]), int(part[3]) + 1) if part.startswith("[") else [int(part)]
    r_part = pattern[:5] if pattern.startswith("[") else pattern[:1]
    f_part = pattern[len(r_part):]
    return [(r, f) for r in scores(r_part) for f in scores(f_part)]


def main():
    features = pd.read_csv(sys.argv[1])
    buyers = features[features["frequency"] > 0]
    score = {}
    for metric in ("recency_days", "frequency", "monetary"):
        thresholds = np.percentile(buyers[metric].astype(float), [20, 40, 60, 80])
        below = (buyers[metric].to_numpy()[:, None] > thresholds[None, :]).sum(axis=1)
        score[metric] = 5 - below if metric == "recency_days" else 1 + below
    names = {cell: name for name, patterns in GRID.items() for p in patterns for cell in cells(p)}
    segment = pd.Series("No Purchase", index=features.index)
    segment.loc[buyers.index] = [names[(r, f)] for r, f in
                                 zip(score["recency_days"], score["frequency"])]
    features["segment"] = segment
    total = features["monetary"].sum()
    groups = features.groupby("segment")
    profile = groups[KEY].agg(["mean", lambda x: x.quantile(0.1), "median",
                               lambda x: x.quantile(0.9)])
    sizes = groups.size()
    revenue = groups["monetary"].sum() / total
    print(f"{len(sizes)} segments, {len(profile.columns)} profile figures, "
          f"revenue share of the largest {revenue.max():.3f}", file=sys.stderr)
    features[["customer_id", "segment"]].to_csv(sys.argv[2], index=False)


if __name__ == "__main__":
    main()
