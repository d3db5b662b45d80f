#!/usr/bin/python3
"""Checks that two feature tables agree, column by column.

    /usr/bin/python3 bench/compare.py A B [--tolerance 1e-6] [--examples 3]

A and B are CSV or Parquet files with a `customer_id` column. Rows are matched on
customer_id. Numbers agree when both are missing or |a - b| <= tol * max(|a|, |b|)
(plus 1e-9 absolute, so 0 and 1e-16 from differently ordered sums agree); text agrees
when equal or both missing. Prints the mismatches per column (and a few examples of
each), the columns and customers that only one side has, and exits 1 on any
difference.

Debian 12 has no pyarrow, so a Parquet file is first turned into CSV by DuckDB through
bench/out/sqlrun (built by bench/run.sh; --sqlrun names another binary).
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))


def load(path, sqlrun):
    if not path.lower().endswith(".parquet"):
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    with tempfile.TemporaryDirectory() as tmp:
        csv, sql = os.path.join(tmp, "t.csv"), os.path.join(tmp, "t.sql")
        with open(sql, "w") as f:
            f.write("COPY (FROM read_parquet('{{IN}}')) TO '{{OUT}}' (HEADER);\n")
        subprocess.run([sqlrun, ":memory:", sql, "IN=" + os.path.abspath(path), "OUT=" + csv],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return pd.read_csv(csv, dtype=str, keep_default_na=False)


def numeric(column):
    """The column as floats, or None if some non-empty value is not a number."""
    present = column != ""
    values = pd.to_numeric(column.where(present), errors="coerce")
    if (values.isna() & present).any():
        return None
    return values.to_numpy(dtype=float)


def mismatches(a, b, tolerance):
    """Boolean array: rows where the two text columns disagree."""
    x, y = numeric(a), numeric(b)
    if x is None or y is None:
        return (a.to_numpy() != b.to_numpy())
    both_missing = np.isnan(x) & np.isnan(y)
    with np.errstate(invalid="ignore"):
        close = np.abs(x - y) <= tolerance * np.maximum(np.abs(x), np.abs(y)) + 1e-9
    return ~(both_missing | close)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--tolerance", type=float, default=1e-6)
    parser.add_argument("--examples", type=int, default=3)
    parser.add_argument("--sqlrun", default=os.path.join(HERE, "out", "sqlrun"))
    args = parser.parse_args()

    a, b = load(args.a, args.sqlrun), load(args.b, args.sqlrun)
    print(f"A: {args.a}: {len(a):,} rows, {a.shape[1]} columns")
    print(f"B: {args.b}: {len(b):,} rows, {b.shape[1]} columns")
    problems = 0
    for name, mine, other in (("A", a, b), ("B", b, a)):
        only = [c for c in mine.columns if c not in other.columns]
        if only:
            problems += len(only)
            print(f"columns only in {name}: {', '.join(only)}")
    if a["customer_id"].duplicated().any() or b["customer_id"].duplicated().any():
        print("duplicate customer_id values")
        problems += 1
    merged = a.merge(b, on="customer_id", how="outer", suffixes=("\0a", "\0b"), indicator=True)
    for side, label in (("left_only", "A"), ("right_only", "B")):
        rows = merged[merged["_merge"] == side]
        if len(rows):
            problems += len(rows)
            print(f"customers only in {label}: {len(rows):,} (e.g. {', '.join(rows['customer_id'].head(3))})")
    merged = merged[merged["_merge"] == "both"].reset_index(drop=True)

    print(f"{'column':<32} {'mismatches':>10}")
    for column in [c for c in a.columns if c in b.columns and c != "customer_id"]:
        left, right = merged[column + "\0a"].fillna(""), merged[column + "\0b"].fillna("")
        bad = mismatches(left, right, args.tolerance)
        count = int(bad.sum())
        problems += count
        print(f"{column:<32} {count:>10,}")
        for row in np.flatnonzero(bad)[: args.examples]:
            print(f"    {merged['customer_id'][row]}: A={left[row]!r} B={right[row]!r}")
    print("agree" if problems == 0 else f"DISAGREE: {problems:,} differences")
    return 0 if problems == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
